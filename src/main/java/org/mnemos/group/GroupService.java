package org.mnemos.group;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.mnemos.engine.DataPathException;
import org.mnemos.engine.SpecException;
import org.mnemos.engine.metrics.RunSummary;
import org.mnemos.experiment.ExperimentService;
import org.mnemos.experiment.ExperimentStatus;
import org.mnemos.experiment.SharedPrefixes;
import org.mnemos.experiment.SpecReader;
import org.mnemos.results.RunMetrics;
import org.mnemos.security.Caller;
import org.mnemos.web.ApiException;
import org.mnemos.web.FieldProblem;
import org.mnemos.web.ProblemType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Seed groups: one experiment per arm and seed, created together through the experiments'
 * submission path, and their statistics over the finished members.
 */
@Service
public class GroupService {

    private static final Logger log = LoggerFactory.getLogger(GroupService.class);
    private static final JsonMapper JSON = SpecReader.json();
    private static final Set<String> FIELDS = Set.of("name", "seeds", "arms");
    private static final Set<String> ARM_FIELDS = Set.of("label", "spec");
    /**
     * Short enough that a member's generated name, "{@code <group> / <label> / seed <seed>}", stays
     * within the 200 characters an experiment's name may have.
     */
    private static final int MAX_NAME_LENGTH = 80;

    private static final int MAX_LABEL_LENGTH = 60;
    public static final int MAX_PAGE = 100;

    /** The scalar metrics of a finished member, in the order views list them. */
    static final Map<String, Function<Figures, Double>> METRICS = metrics();

    private final ExperimentService experiments;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final GroupsProperties limits;
    private final SharedPrefixes prefixes;
    private final Clock clock = Clock.systemUTC();

    public GroupService(
            ExperimentService experiments,
            JdbcTemplate jdbc,
            TransactionTemplate tx,
            GroupsProperties limits,
            SharedPrefixes prefixes) {
        this.experiments = experiments;
        this.prefixes = prefixes;
        this.jdbc = jdbc;
        this.tx = tx;
        this.limits = limits;
    }

    private static Map<String, Function<Figures, Double>> metrics() {
        Map<String, Function<Figures, Double>> metrics = new LinkedHashMap<>();
        metrics.put("finalAccuracy", f -> f.metrics().get("finalAccuracy"));
        metrics.put("averageIncrementalAccuracy", f -> f.metrics().get("averageIncrementalAccuracy"));
        metrics.put("forgetting", f -> f.metrics().get("forgetting"));
        metrics.put("backwardTransfer", f -> f.metrics().get("backwardTransfer"));
        return metrics;
    }

    private record Figures(long seed, Map<String, Double> metrics, List<Double> phaseAccuracy) {}

    /** @param body the request as read: what a retry with the same Idempotency-Key must repeat */
    private record Request(String name, List<Long> seeds, List<ArmRequest> arms, JsonNode body) {}

    /** A group a request created, or found for a retried Idempotency-Key ({@code created} false). */
    public record Creation(GroupViews.Created group, boolean created) {}

    private record ArmRequest(String label, ObjectNode spec) {}

    /**
     * Validates the group and every member's spec, then stores all members and queues them in one
     * transaction. With an Idempotency-Key the caller used before, the group that key created is
     * returned when the body is the same (as JSON: key order and spacing aside), and refused (422)
     * when it differs.
     */
    public Creation create(byte[] body, String idempotencyKey, Caller caller) {
        ExperimentService.checkIdempotencyKey(idempotencyKey);
        Request request = read(body);
        String owner = caller.keyId();
        if (idempotencyKey != null) {
            Creation earlier = replay(idempotencyKey, owner, request);
            if (earlier != null) {
                return earlier;
            }
        }
        try {
            return new Creation(store(request, idempotencyKey, caller), true);
        } catch (DataIntegrityViolationException e) {
            // a concurrent retry with the same key won the insert
            Creation earlier = idempotencyKey == null ? null : replay(idempotencyKey, owner, request);
            if (earlier == null) {
                throw e;
            }
            return earlier;
        }
    }

    /** The group the caller created with this key, if any; refused where it was created from another body. */
    private Creation replay(String idempotencyKey, String owner, Request request) {
        List<Keyed> earlier = jdbc.query(
                "select id, name, request from experiment_groups where idempotency_key = ? and coalesce(owner_key, '') = coalesce(?, '')",
                (rs, n) -> new Keyed(
                        rs.getObject("id", UUID.class), rs.getString("name"), JSON.readTree(rs.getString("request"))),
                idempotencyKey,
                owner);
        if (earlier.isEmpty()) {
            return null;
        }
        Keyed group = earlier.get(0);
        if (!group.request().equals(request.body())) {
            throw new ApiException(
                    ProblemType.IDEMPOTENCY_MISMATCH,
                    "This Idempotency-Key was used for group " + group.id() + " with a different body.",
                    List.of(new FieldProblem(
                            "Idempotency-Key", "was used for group " + group.id() + " with a different body")));
        }
        // in the order the request created them: its arms, then its seeds
        List<String> labels = request.arms().stream().map(ArmRequest::label).toList();
        List<GroupViews.Member> members = members(group.id()).stream()
                .map(MemberRow::member)
                .sorted(java.util.Comparator.comparingInt((GroupViews.Member m) -> labels.indexOf(m.arm()))
                        .thenComparingInt(m -> request.seeds().indexOf(m.seed())))
                .toList();
        return new Creation(new GroupViews.Created(group.id(), group.name(), members), false);
    }

    /** A group created with an Idempotency-Key and the request it was created from. */
    private record Keyed(UUID id, String name, JsonNode request) {}

    private GroupViews.Created store(Request request, String idempotencyKey, Caller caller) {
        String owner = caller.keyId();
        Map<String, List<ExperimentService.Prepared>> prepared = new LinkedHashMap<>();
        for (int a = 0; a < request.arms().size(); a++) {
            ArmRequest arm = request.arms().get(a);
            List<ExperimentService.Prepared> members = new ArrayList<>();
            for (long seed : request.seeds()) {
                members.add(prepareMember(request.name(), arm, a, seed, caller));
            }
            prepared.put(arm.label(), members);
        }
        UUID id = UUID.randomUUID();
        List<GroupViews.Member> created = tx.execute(status -> {
            experiments.reserveActiveRuns(
                    owner, request.arms().size() * request.seeds().size());
            jdbc.update(
                    "insert into experiment_groups (id, name, owner_key, seeds, arms, created_at, idempotency_key, request)"
                            + " values (?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?::jsonb)",
                    id,
                    request.name(),
                    owner,
                    JSON.writeValueAsString(request.seeds()),
                    JSON.writeValueAsString(
                            request.arms().stream().map(ArmRequest::label).toList()),
                    Timestamp.from(clock.instant().truncatedTo(ChronoUnit.MICROS)),
                    idempotencyKey,
                    idempotencyKey == null ? null : JSON.writeValueAsString(request.body()));
            List<GroupViews.Member> members = new ArrayList<>();
            List<List<UUID>> stored = new ArrayList<>();
            prepared.forEach((label, runs) -> {
                List<UUID> ids = new ArrayList<>();
                for (int s = 0; s < runs.size(); s++) {
                    UUID experiment = experiments.store(runs.get(s), null, owner);
                    ids.add(experiment);
                    long seed = request.seeds().get(s);
                    jdbc.update(
                            "insert into group_members (group_id, experiment_id, arm, seed) values (?, ?, ?, ?)",
                            id,
                            experiment,
                            label,
                            seed);
                    members.add(new GroupViews.Member(label, seed, experiment, ExperimentStatus.QUEUED));
                }
                stored.add(ids);
            });
            shareCommonPrefixes(new ArrayList<>(prepared.values()), stored);
            return members;
        });
        log.info("Group {} '{}' queued {} experiments", id, request.name(), created.size());
        return new GroupViews.Created(id, request.name(), created);
    }

    /**
     * For each seed, each arm after the first takes the phases it resolves identically with an
     * earlier arm from that arm (the one sharing the longest prefix; the earliest on a tie) instead
     * of training them. Members that fork another run already start from that run.
     */
    private void shareCommonPrefixes(List<List<ExperimentService.Prepared>> prepared, List<List<UUID>> stored) {
        for (int s = 0; s < stored.get(0).size(); s++) {
            for (int a = 1; a < prepared.size(); a++) {
                ExperimentService.Prepared follower = prepared.get(a).get(s);
                int bestPrefix = -1;
                int leader = -1;
                for (int b = 0; b < a && follower.reuse() == null; b++) {
                    ExperimentService.Prepared candidate = prepared.get(b).get(s);
                    int prefix = candidate.reuse() == null
                            ? SharedPrefixes.sharedPrefix(candidate.plan(), follower.plan())
                            : -1;
                    if (prefix > bestPrefix) {
                        bestPrefix = prefix;
                        leader = b;
                    }
                }
                if (leader >= 0) {
                    prefixes.follow(stored.get(a).get(s), stored.get(leader).get(s), bestPrefix);
                }
            }
        }
    }

    private Request read(byte[] body) {
        JsonNode tree;
        try {
            tree = JSON.readTree(body);
        } catch (JacksonException e) {
            throw new ApiException(
                    ProblemType.MALFORMED_REQUEST, "The request body is not valid JSON: " + e.getOriginalMessage());
        }
        if (tree == null || !tree.isObject()) {
            throw ApiException.invalidSpec("$", "must be a JSON object with name, seeds and arms");
        }
        List<FieldProblem> problems = new ArrayList<>();
        tree.propertyNames().stream()
                .filter(f -> !FIELDS.contains(f))
                .forEach(f -> problems.add(new FieldProblem(f, "unknown field; allowed: [arms, name, seeds]")));
        String name = text(tree.get("name"), "name", MAX_NAME_LENGTH, problems);
        List<Long> seeds = seeds(tree.get("seeds"), problems);
        List<ArmRequest> arms = arms(tree.get("arms"), problems);
        if (!problems.isEmpty()) {
            throw ApiException.invalidSpec(problems);
        }
        return new Request(name, seeds, arms, tree);
    }

    private static String text(JsonNode node, String field, int maxLength, List<FieldProblem> problems) {
        if (node == null || node.isNull()) {
            problems.add(new FieldProblem(field, "is required"));
            return null;
        }
        if (!node.isString()) {
            problems.add(new FieldProblem(field, "must be a string"));
            return null;
        }
        String value = node.asString();
        if (value.isBlank() || value.length() > maxLength || value.codePoints().anyMatch(Character::isISOControl)) {
            problems.add(new FieldProblem(
                    field, "must be 1 to " + maxLength + " characters, not blank, without control characters"));
            return null;
        }
        return value;
    }

    private List<Long> seeds(JsonNode node, List<FieldProblem> problems) {
        if (node == null || node.isNull()) {
            problems.add(new FieldProblem("seeds", "is required: an array of distinct integers >= 0"));
            return List.of();
        }
        if (!node.isArray()) {
            problems.add(new FieldProblem("seeds", "must be an array of distinct integers >= 0"));
            return List.of();
        }
        if (node.isEmpty() || node.size() > limits.maxSeeds()) {
            problems.add(
                    new FieldProblem("seeds", "must hold 1 to " + limits.maxSeeds() + " seeds, not " + node.size()));
            return List.of();
        }
        List<Long> seeds = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode seed = node.get(i);
            if (!seed.isIntegralNumber() || !seed.canConvertToLong() || seed.asLong() < 0) {
                problems.add(new FieldProblem("seeds[" + i + "]", "must be an integer >= 0"));
            } else if (!seen.add(seed.asLong())) {
                problems.add(new FieldProblem(
                        "seeds[" + i + "]", "repeats seed " + seed.asLong() + "; seeds must be distinct"));
            } else {
                seeds.add(seed.asLong());
            }
        }
        return seeds;
    }

    private List<ArmRequest> arms(JsonNode node, List<FieldProblem> problems) {
        if (node == null || node.isNull()) {
            problems.add(new FieldProblem("arms", "is required: an array of {label, spec}"));
            return List.of();
        }
        if (!node.isArray()) {
            problems.add(new FieldProblem("arms", "must be an array of {label, spec}"));
            return List.of();
        }
        if (node.isEmpty() || node.size() > limits.maxArms()) {
            problems.add(new FieldProblem("arms", "must hold 1 to " + limits.maxArms() + " arms, not " + node.size()));
            return List.of();
        }
        List<ArmRequest> arms = new ArrayList<>();
        Set<String> labels = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            String path = "arms[" + i + "]";
            JsonNode arm = node.get(i);
            if (!arm.isObject()) {
                problems.add(new FieldProblem(path, "must be an object {label, spec}"));
                continue;
            }
            arm.propertyNames().stream()
                    .filter(f -> !ARM_FIELDS.contains(f))
                    .forEach(f ->
                            problems.add(new FieldProblem(path + "." + f, "unknown field; allowed: [label, spec]")));
            String label = text(arm.get("label"), path + ".label", MAX_LABEL_LENGTH, problems);
            if (label != null && !labels.add(label)) {
                problems.add(new FieldProblem(
                        path + ".label", "repeats the label '" + label + "'; labels must be distinct"));
            }
            JsonNode spec = arm.get("spec");
            if (spec == null || !spec.isObject()) {
                problems.add(new FieldProblem(path + ".spec", "must be an experiment spec object"));
            } else if (spec.has("seed")) {
                problems.add(new FieldProblem(
                        path + ".spec.seed", "is set per member from the group's seeds; leave it out"));
            } else if (label != null) {
                arms.add(new ArmRequest(label, (ObjectNode) spec));
            }
        }
        return arms;
    }

    /** The arm's spec with the member's seed, through the experiments' own reading, validation and planning. */
    private ExperimentService.Prepared prepareMember(
            String groupName, ArmRequest arm, int index, long seed, Caller caller) {
        String prefix = "arms[" + index + "].spec.";
        ObjectNode spec = arm.spec().deepCopy();
        spec.put("seed", seed);
        if (!spec.has("name")) {
            spec.put("name", groupName + " / " + arm.label() + " / seed " + seed);
        }
        try {
            return experiments.prepare(JSON.writeValueAsBytes(spec), caller);
        } catch (ApiException e) {
            if (e.type() != ProblemType.INVALID_SPEC) {
                throw e;
            }
            throw ApiException.invalidSpec(e.errors().stream()
                    .map(p -> new FieldProblem(
                            p.field().equals("$") ? prefix.substring(0, prefix.length() - 1) : prefix + p.field(),
                            p.message()))
                    .toList());
        } catch (SpecException e) {
            String message = e.getMessage().startsWith(e.field() + ": ")
                    ? e.getMessage().substring(e.field().length() + 2)
                    : e.getMessage();
            throw new SpecException(prefix + e.field(), message);
        } catch (DataPathException e) {
            throw new SpecException(prefix + "dataset.path", e.getMessage());
        }
    }

    private record Stored(UUID id, String name, String owner, List<Long> seeds, List<String> arms, Instant createdAt) {}

    private record MemberRow(GroupViews.Member member, String summary) {}

    /** The group if the caller may see it; otherwise the same 404 as for a group that does not exist. */
    private Stored load(UUID id, Caller caller) {
        List<Stored> rows = jdbc.query(
                "select id, name, owner_key, seeds, arms, created_at from experiment_groups where id = ?",
                (rs, n) -> new Stored(
                        rs.getObject("id", UUID.class),
                        rs.getString("name"),
                        rs.getString("owner_key"),
                        JSON.readValue(
                                rs.getString("seeds"),
                                JSON.getTypeFactory().constructCollectionType(List.class, Long.class)),
                        JSON.readValue(
                                rs.getString("arms"),
                                JSON.getTypeFactory().constructCollectionType(List.class, String.class)),
                        rs.getTimestamp("created_at").toInstant()),
                id);
        if (rows.isEmpty() || !caller.mayAccess(rows.get(0).owner())) {
            throw ApiException.notFound("Group " + id);
        }
        return rows.get(0);
    }

    private List<MemberRow> members(UUID id) {
        return jdbc.query(
                """
                select m.arm, m.seed, m.experiment_id, e.status, e.summary
                from group_members m join experiments e on e.id = m.experiment_id
                where m.group_id = ? order by m.arm, m.seed""",
                (rs, n) -> new MemberRow(
                        new GroupViews.Member(
                                rs.getString("arm"),
                                rs.getLong("seed"),
                                rs.getObject("experiment_id", UUID.class),
                                ExperimentStatus.valueOf(rs.getString("status"))),
                        rs.getString("summary")),
                id);
    }

    /** The figures of every SUCCEEDED member, by experiment id. */
    private Map<UUID, Figures> figures(UUID id, List<MemberRow> members) {
        Map<UUID, List<Double>> accuracies = new HashMap<>();
        Map<UUID, List<List<Double>>> matrices = new HashMap<>();
        jdbc.query(
                """
                select p.experiment_id, p.accuracy, p.accuracy_row from phases p
                join group_members m on m.experiment_id = p.experiment_id
                where m.group_id = ? and p.status = 'COMPLETED' order by p.experiment_id, p.phase_index""",
                rs -> {
                    UUID experiment = rs.getObject("experiment_id", UUID.class);
                    accuracies
                            .computeIfAbsent(experiment, k -> new ArrayList<>())
                            .add(rs.getDouble("accuracy"));
                    String row = rs.getString("accuracy_row");
                    matrices.computeIfAbsent(experiment, k -> new ArrayList<>())
                            .add(
                                    row == null
                                            ? null
                                            : JSON.readValue(
                                                    row,
                                                    JSON.getTypeFactory()
                                                            .constructCollectionType(List.class, Double.class)));
                },
                id);
        Map<UUID, Figures> figures = new HashMap<>();
        for (MemberRow row : members) {
            GroupViews.Member member = row.member();
            if (member.status() != ExperimentStatus.SUCCEEDED || row.summary() == null) {
                continue;
            }
            RunSummary summary = JSON.readValue(row.summary(), RunSummary.class);
            List<List<Double>> matrix = matrices.getOrDefault(member.experiment(), List.of());
            Map<String, Double> metrics = new HashMap<>();
            metrics.put("finalAccuracy", summary.lastAccuracy());
            metrics.put("averageIncrementalAccuracy", summary.averageIncrementalAccuracy());
            metrics.put("forgetting", summary.forgetting());
            metrics.put("backwardTransfer", matrix.contains(null) ? null : RunMetrics.backwardTransfer(matrix));
            figures.put(
                    member.experiment(),
                    new Figures(member.seed(), metrics, accuracies.getOrDefault(member.experiment(), List.of())));
        }
        return figures;
    }

    public GroupViews.Group get(UUID id, Caller caller) {
        Stored group = load(id, caller);
        List<MemberRow> members = members(id);
        Map<UUID, Figures> figures = figures(id, members);
        Map<String, List<Figures>> finishedByArm = new LinkedHashMap<>();
        List<GroupViews.Arm> arms = new ArrayList<>();
        int phases = figures.values().stream()
                .mapToInt(f -> f.phaseAccuracy().size())
                .max()
                .orElse(0);
        for (String label : group.arms()) {
            List<GroupViews.Member> armMembers = members.stream()
                    .map(MemberRow::member)
                    .filter(m -> m.arm().equals(label))
                    .toList();
            // in the order of the group's seeds, so paired differences list their seeds in that order
            List<Figures> finished = group.seeds().stream()
                    .flatMap(seed -> armMembers.stream().filter(m -> m.seed() == seed))
                    .map(m -> figures.get(m.experiment()))
                    .filter(f -> f != null)
                    .toList();
            finishedByArm.put(label, finished);
            Map<String, GroupViews.Stat> stats = new LinkedHashMap<>();
            METRICS.forEach((name, metric) -> stats.put(
                    name, GroupStatistics.describe(finished.stream().map(metric).toList())));
            List<GroupViews.Stat> perPhase = new ArrayList<>();
            for (int p = 0; p < phases; p++) {
                perPhase.add(GroupStatistics.describe(
                        finished.stream().map(phaseAccuracy(p)).toList()));
            }
            arms.add(new GroupViews.Arm(label, finished.size(), armMembers, stats, perPhase));
        }
        List<GroupViews.Comparison> comparisons = new ArrayList<>();
        for (int b = 0; b < group.arms().size(); b++) {
            for (int a = b + 1; a < group.arms().size(); a++) {
                List<Figures> arm = finishedByArm.get(group.arms().get(a));
                List<Figures> baseline = finishedByArm.get(group.arms().get(b));
                Map<String, GroupViews.Difference> differences = new LinkedHashMap<>();
                METRICS.forEach((name, metric) -> differences.put(
                        name,
                        GroupStatistics.pairedDifference(
                                arm.stream().map(f -> f.seed()).toList(),
                                        arm.stream().map(metric).toList(),
                                baseline.stream().map(f -> f.seed()).toList(),
                                        baseline.stream().map(metric).toList())));
                List<GroupViews.Difference> perPhase = new ArrayList<>();
                for (int p = 0; p < phases; p++) {
                    Function<Figures, Double> metric = phaseAccuracy(p);
                    perPhase.add(GroupStatistics.pairedDifference(
                            arm.stream().map(f -> f.seed()).toList(),
                                    arm.stream().map(metric).toList(),
                            baseline.stream().map(f -> f.seed()).toList(),
                                    baseline.stream().map(metric).toList()));
                }
                comparisons.add(new GroupViews.Comparison(
                        group.arms().get(a), group.arms().get(b), differences, perPhase));
            }
        }
        return new GroupViews.Group(group.id(), group.name(), group.createdAt(), group.seeds(), arms, comparisons);
    }

    private static Function<Figures, Double> phaseAccuracy(int phase) {
        return f -> phase < f.phaseAccuracy().size() ? f.phaseAccuracy().get(phase) : null;
    }

    /** The caller's groups (every owner's for an admin), newest first. */
    public GroupViews.Page list(Integer limit, Caller caller) {
        int size = limit == null ? 20 : limit;
        if (size < 1 || size > MAX_PAGE) {
            throw new ApiException(
                    ProblemType.INVALID_PARAMETER,
                    "limit must be between 1 and " + MAX_PAGE,
                    List.of(new FieldProblem("limit", "must be between 1 and " + MAX_PAGE)));
        }
        List<Stored> groups = jdbc.query(
                """
                select id, name, owner_key, seeds, arms, created_at from experiment_groups
                where ? or owner_key = ? order by created_at desc, id desc limit ?""",
                (rs, n) -> new Stored(
                        rs.getObject("id", UUID.class),
                        rs.getString("name"),
                        rs.getString("owner_key"),
                        JSON.readValue(
                                rs.getString("seeds"),
                                JSON.getTypeFactory().constructCollectionType(List.class, Long.class)),
                        JSON.readValue(
                                rs.getString("arms"),
                                JSON.getTypeFactory().constructCollectionType(List.class, String.class)),
                        rs.getTimestamp("created_at").toInstant()),
                caller.admin(),
                caller.keyId(),
                size);
        List<GroupViews.GroupItem> items = new ArrayList<>();
        for (Stored group : groups) {
            Map<ExperimentStatus, Integer> statuses = new EnumMap<>(ExperimentStatus.class);
            jdbc.query(
                    """
                    select e.status, count(*) as members from group_members m join experiments e on e.id = m.experiment_id
                    where m.group_id = ? group by e.status""",
                    rs -> {
                        statuses.put(ExperimentStatus.valueOf(rs.getString("status")), rs.getInt("members"));
                    },
                    group.id());
            items.add(new GroupViews.GroupItem(
                    group.id(), group.name(), group.createdAt(), group.seeds(), group.arms(), statuses));
        }
        return new GroupViews.Page(items);
    }

    /** Cancels every member still queued or running; finished members stay as they are. */
    public GroupViews.Group cancel(UUID id, Caller caller) {
        load(id, caller);
        for (MemberRow row : members(id)) {
            ExperimentStatus status = row.member().status();
            if (status == ExperimentStatus.QUEUED || status == ExperimentStatus.RUNNING) {
                try {
                    experiments.cancel(row.member().experiment());
                } catch (ApiException raced) {
                    // finished between the read and the cancel: nothing left to stop
                    if (raced.type() != ProblemType.CONFLICT) {
                        throw raced;
                    }
                }
            }
        }
        return get(id, caller);
    }

    /** Deletes the group with all its members; refused (409) while any member is running. */
    public void delete(UUID id, Caller caller) {
        load(id, caller);
        List<MemberRow> members = members(id);
        List<UUID> running = members.stream()
                .map(MemberRow::member)
                .filter(m -> m.status() == ExperimentStatus.RUNNING || m.status() == ExperimentStatus.CANCELLING)
                .map(GroupViews.Member::experiment)
                .toList();
        if (!running.isEmpty()) {
            throw ApiException.conflict(
                    "Group " + id + " has running members " + running + "; cancel the group first.");
        }
        for (MemberRow row : members) {
            experiments.delete(row.member().experiment());
        }
        jdbc.update("delete from experiment_groups where id = ?", id);
    }

    /** Every member with its figures: arm, seed, experiment, status and the scalar metrics (empty unless SUCCEEDED). */
    public List<List<Object>> memberTable(UUID id, Caller caller) {
        Stored group = load(id, caller);
        List<MemberRow> members = members(id);
        Map<UUID, Figures> figures = figures(id, members);
        List<List<Object>> rows = new ArrayList<>();
        for (String label : group.arms()) {
            for (long seed : group.seeds()) {
                members.stream()
                        .map(MemberRow::member)
                        .filter(m -> m.arm().equals(label) && m.seed() == seed)
                        .forEach(m -> {
                            Figures f = figures.get(m.experiment());
                            List<Object> row = new ArrayList<>(List.of(
                                    group.name(),
                                    label,
                                    seed,
                                    m.experiment().toString(),
                                    m.status().name()));
                            METRICS.values().forEach(metric -> row.add(f == null ? null : metric.apply(f)));
                            rows.add(row);
                        });
            }
        }
        return rows;
    }

    static List<String> memberColumns() {
        List<String> columns = new ArrayList<>(List.of("group", "arm", "seed", "experiment", "status"));
        METRICS.keySet().forEach(name -> columns.add(snake(name)));
        return columns;
    }

    static String snake(String camel) {
        return camel.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }
}
