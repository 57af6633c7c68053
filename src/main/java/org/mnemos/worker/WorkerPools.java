package org.mnemos.worker;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The worker pools the API admits runs to, with each pool's memory budget: those its workers
 * registered in {@code worker_pools} when they started (kept after they stop, so that a pool
 * scaled to zero stays known) and those declared under {@code mnemos.pools}, which win.
 */
@Component
public class WorkerPools {

    private static final Logger log = LoggerFactory.getLogger(WorkerPools.class);

    /** @param source where the budget comes from, for the 400 that names it */
    public record Pool(String name, long memoryBudget, boolean onGpu, String source) {}

    private final JdbcTemplate jdbc;
    private final PoolsProperties declared;

    public WorkerPools(JdbcTemplate jdbc, PoolsProperties declared) {
        this.jdbc = jdbc;
        this.declared = declared;
    }

    /** Every known pool by name, in name order. */
    public Map<String, Pool> known() {
        Map<String, Pool> pools = new TreeMap<>();
        jdbc.query("select pool, memory_budget, on_gpu, budget_source, registered_by from worker_pools", rs -> {
            String name = rs.getString("pool");
            pools.put(
                    name,
                    new Pool(
                            name,
                            rs.getLong("memory_budget"),
                            rs.getBoolean("on_gpu"),
                            rs.getString("budget_source") + " of worker " + rs.getString("registered_by")));
        });
        declared.pools()
                .forEach((name, pool) -> pools.put(
                        name,
                        new Pool(
                                name,
                                pool.memoryBudget().toBytes(),
                                pool.gpu(),
                                "mnemos.pools." + name + ".memory-budget")));
        return pools;
    }

    /** Records a starting worker's pool and budget; a different budget than the pool's last one is logged. */
    void register(String pool, long memoryBudget, boolean onGpu, String budgetSource, String worker) {
        jdbc.query(
                "select memory_budget, registered_by from worker_pools where pool = ?",
                rs -> {
                    if (rs.getLong(1) != memoryBudget) {
                        log.warn(
                                "Pool '{}' had a memory budget of {} bytes (worker {}); worker {} reports {} bytes, which is now the"
                                        + " pool's budget: a pool should be one kind of machine",
                                pool,
                                rs.getLong(1),
                                rs.getString(2),
                                worker,
                                memoryBudget);
                    }
                },
                pool);
        jdbc.update("""
                insert into worker_pools (pool, memory_budget, on_gpu, budget_source, registered_by, registered_at)
                values (?, ?, ?, ?, ?, ?)
                on conflict (pool) do update set memory_budget = excluded.memory_budget, on_gpu = excluded.on_gpu,
                    budget_source = excluded.budget_source, registered_by = excluded.registered_by,
                    registered_at = excluded.registered_at""", pool, memoryBudget, onGpu, budgetSource, worker, java.sql.Timestamp.from(Instant.now()));
    }
}
