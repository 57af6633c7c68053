package org.mnemos.experiment;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.domain.Limit;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

public interface ExperimentRepository extends JpaRepository<Experiment, UUID> {

    @Query(
            "select e from Experiment e where e.idempotencyKey = :key and coalesce(e.ownerKey, '') = coalesce(:owner, '')")
    Optional<Experiment> findByIdempotencyKey(@Param("key") String key, @Param("owner") String owner);

    @Query(
            "select count(e) from Experiment e where coalesce(e.ownerKey, '') = coalesce(:owner, '') and e.status in :statuses")
    long countByOwnerAndStatusIn(
            @Param("owner") String owner, @Param("statuses") Collection<ExperimentStatus> statuses);

    /**
     * Serialises submissions of one owner until the end of the transaction, so that counting its
     * active runs and inserting a new one cannot interleave with another submission's.
     */
    @Query(
            value = "select 1 from (select pg_advisory_xact_lock(7171, hashtext(coalesce(:owner, '')))) locked",
            nativeQuery = true)
    int lockOwner(@Param("owner") String owner);

    /**
     * A page in (created_at desc, id desc) order after the position (createdAt, id), of one owner's
     * experiments or, with {@code everyone}, of all.
     */
    @Query("""
            select e from Experiment e
            where (e.createdAt < :createdAt or (e.createdAt = :createdAt and e.id < :id))
              and (:everyone = true or e.ownerKey = :owner)
            order by e.createdAt desc, e.id desc""")
    List<Experiment> pageAfter(
            @Param("createdAt") Instant createdAt,
            @Param("id") UUID id,
            @Param("owner") String owner,
            @Param("everyone") boolean everyone,
            Limit limit);

    /** As {@link #pageAfter} among the experiments in one status. */
    @Query("""
            select e from Experiment e
            where e.status = :status and (e.createdAt < :createdAt or (e.createdAt = :createdAt and e.id < :id))
              and (:everyone = true or e.ownerKey = :owner)
            order by e.createdAt desc, e.id desc""")
    List<Experiment> pageAfter(
            @Param("status") ExperimentStatus status,
            @Param("createdAt") Instant createdAt,
            @Param("id") UUID id,
            @Param("owner") String owner,
            @Param("everyone") boolean everyone,
            Limit limit);

    @Query("select e.status from Experiment e where e.id = :id")
    Optional<ExperimentStatus> findStatus(@Param("id") UUID id);

    /** Progress is written by the running worker only; it must not bump the row version other writers check. */
    @Modifying
    @Query("update Experiment e set e.progress = :progress where e.id = :id")
    int updateProgress(@Param("id") UUID id, @Param("progress") String progress);
}
