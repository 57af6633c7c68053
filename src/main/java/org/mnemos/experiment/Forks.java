package org.mnemos.experiment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.UUID;
import org.mnemos.artifacts.ArtifactStore;
import org.mnemos.engine.RunPlan;
import org.mnemos.events.EventPublisher;
import org.mnemos.events.EventTypes;
import org.mnemos.security.Caller;
import org.mnemos.web.ApiException;
import org.mnemos.web.FieldProblem;
import org.mnemos.web.ProblemType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs that start from a finished phase of another run ({@code "from": {"experiment", "phase"}}).
 * Phases 0..k are reused when everything that determines them resolves as it did for the source:
 * the data, the class order up to the classes those phases see, the classes of each of them, the
 * model, method, memory, training and seed. Their metrics are copied, their artifacts shared
 * without copying, and no worker runs them; the fork's worker starts at phase k+1 from the
 * source's phase-k state.
 */
@Component
class Forks {

    private static final JsonMapper JSON = SpecReader.json();
    private static final String EXPERIMENT_FIELD = SpecReader.FROM + ".experiment";
    private static final String PHASE_FIELD = SpecReader.FROM + ".phase";
    /** Compared in this order; the protocol sits between the data and the model (see {@link #check}). */
    private static final List<String> BEFORE_PROTOCOL = List.of("dataset");

    private static final List<String> AFTER_PROTOCOL = List.of("model", "method", "memory", "training", "seed");

    /** A checked fork: phases 0..{@code lastPhase} of {@code source} become the new run's. */
    record Reuse(UUID source, int lastPhase) {}

    private final ExperimentRepository experiments;
    private final PhaseRepository phases;
    private final ArtifactStore artifacts;
    private final EventPublisher events;
    private final JdbcTemplate jdbc;

    Forks(
            ExperimentRepository experiments,
            PhaseRepository phases,
            ArtifactStore artifacts,
            EventPublisher events,
            JdbcTemplate jdbc) {
        this.experiments = experiments;
        this.phases = phases;
        this.artifacts = artifacts;
        this.events = events;
        this.jdbc = jdbc;
    }

    /**
     * Checks that {@code fork} may reuse the phases {@code from} names; an {@link ApiException}
     * naming the field otherwise: {@code from.experiment} (404: no such run the caller may see),
     * {@code from.phase} (not a finished phase the fork can continue from) or the first field of the
     * spec whose resolved value differs from the source's.
     */
    Reuse check(ExperimentViews.Fork from, RunPlan fork, Caller caller) {
        Experiment source = experiments
                .findById(from.experiment())
                .filter(e -> caller.mayAccess(e.getOwnerKey()))
                .orElseThrow(() -> new ApiException(
                        ProblemType.NOT_FOUND,
                        EXPERIMENT_FIELD + ": experiment " + from.experiment() + " not found",
                        List.of(new FieldProblem(
                                EXPERIMENT_FIELD, "no experiment " + from.experiment() + " that this key may read"))));
        int k = from.phase();
        if (k >= source.getPhaseCount() - 1) {
            throw ApiException.invalidSpec(
                    PHASE_FIELD,
                    k >= source.getPhaseCount()
                            ? "experiment " + source.getId() + " has phases 0.." + (source.getPhaseCount() - 1)
                                    + ", not " + k
                            : "phase " + k + " is the last phase of experiment " + source.getId()
                                    + ", and a last phase runs"
                                    + " differently (model inversion trains no generator after it); fork phase "
                                    + (source.getPhaseCount() - 2) + " or earlier");
        }
        if (k >= fork.phaseCount() - 1) {
            throw ApiException.invalidSpec(
                    PHASE_FIELD,
                    "this run has " + fork.phaseCount() + " phases; reusing 0.." + k + " would leave none to run");
        }
        List<Phase> trained = phases.findByExperiment(source.getId());
        for (int j = 0; j <= k; j++) {
            if (trained.get(j).getStatus() != PhaseStatus.COMPLETED) {
                throw ApiException.invalidSpec(
                        PHASE_FIELD,
                        "phase " + j + " of experiment " + source.getId() + " is "
                                + trained.get(j).getStatus() + "; only completed phases can be reused");
            }
        }
        JsonNode was = JSON.valueToTree(SpecReader.readStored(source.getResolvedSpec()));
        JsonNode is = JSON.valueToTree(fork.spec());
        ExperimentViews.Plan sourcePlan = JSON.readValue(source.getPlan(), ExperimentViews.Plan.class);
        String differs = firstDifference(was, is, BEFORE_PROTOCOL);
        if (differs == null && !samePhases(sourcePlan, fork, k)) {
            differs = Objects.requireNonNullElse(
                    difference(was.path("protocol"), is.path("protocol"), "protocol"), "protocol");
        }
        if (differs == null) {
            differs = firstDifference(was, is, AFTER_PROTOCOL);
        }
        if (differs != null) {
            throw ApiException.invalidSpec(
                    differs,
                    "must resolve as in experiment " + source.getId() + " to reuse its phases 0.." + k + ": there "
                            + valueAt(was, differs) + ", here " + valueAt(is, differs));
        }
        return new Reuse(source.getId(), k);
    }

    /**
     * The last phase {@code a} and {@code b} could share, or -1: the runs resolve identically in
     * everything a fork compares but the protocol, and phases 0..k hold the same classes after the
     * same class order; neither run's last phase is shared.
     */
    static int sharedPrefix(RunPlan a, RunPlan b) {
        JsonNode was = JSON.valueToTree(a.spec());
        JsonNode is = JSON.valueToTree(b.spec());
        if (firstDifference(was, is, BEFORE_PROTOCOL) != null || firstDifference(was, is, AFTER_PROTOCOL) != null) {
            return -1;
        }
        ExperimentViews.Plan plan = new ExperimentViews.Plan(a.classOrder(), a.phases(), a.classNames());
        int k = -1;
        while (k + 1 <= Math.min(a.phaseCount(), b.phaseCount()) - 2 && samePhases(plan, b, k + 1)) {
            k++;
        }
        return k;
    }

    /** The class order up to what phase {@code k} sees, each phase's classes up to {@code k}, and which phase is last. */
    private static boolean samePhases(ExperimentViews.Plan source, RunPlan fork, int k) {
        int seen = 0;
        for (int j = 0; j <= k; j++) {
            if (!source.phases().get(j).equals(fork.phases().get(j))) {
                return false;
            }
            seen += source.phases().get(j).size();
        }
        return fork.classOrder().size() >= seen
                && source.classOrder().subList(0, seen).equals(fork.classOrder().subList(0, seen));
    }

    private static String firstDifference(JsonNode was, JsonNode is, List<String> fields) {
        for (String field : fields) {
            String differs = difference(was.get(field), is.get(field), field);
            if (differs != null) {
                return differs;
            }
        }
        return null;
    }

    /**
     * The path of the first leaf where two resolved specs differ, or null: an object's {@code name}
     * first (a different method is named as such, not by the first default it changes), then its
     * other fields in name order.
     */
    static String difference(JsonNode was, JsonNode is, String path) {
        boolean wasMissing = was == null || was.isMissingNode() || was.isNull();
        boolean isMissing = is == null || is.isMissingNode() || is.isNull();
        if (wasMissing || isMissing) {
            return wasMissing == isMissing ? null : path;
        }
        if (was.isObject() && is.isObject()) {
            TreeSet<String> names = new TreeSet<>(was.propertyNames());
            names.addAll(is.propertyNames());
            List<String> ordered = new ArrayList<>();
            if (names.remove("name")) {
                ordered.add("name");
            }
            ordered.addAll(names);
            for (String name : ordered) {
                String differs = difference(was.get(name), is.get(name), path + "." + name);
                if (differs != null) {
                    return differs;
                }
            }
            return null;
        }
        if (was.isArray() && is.isArray() && was.size() == is.size()) {
            for (int i = 0; i < was.size(); i++) {
                String differs = difference(was.get(i), is.get(i), path + "[" + i + "]");
                if (differs != null) {
                    return differs;
                }
            }
            return null;
        }
        return was.equals(is) ? null : path;
    }

    /** A scalar as JSON, an object or array by its kind, an absent field as such. */
    private static String valueAt(JsonNode spec, String path) {
        JsonNode node = spec;
        for (String part : path.split("\\.")) {
            int bracket = part.indexOf('[');
            node = node.path(bracket < 0 ? part : part.substring(0, bracket));
            while (bracket >= 0) {
                int close = part.indexOf(']', bracket);
                node = node.path(Integer.parseInt(part.substring(bracket + 1, close)));
                bracket = part.indexOf('[', close);
            }
        }
        if (node.isMissingNode() || node.isNull()) {
            return "absent";
        }
        if (node.isArray()) {
            return "an array of " + node.size();
        }
        return node.isObject() ? "an object" : JSON.writeValueAsString(node);
    }

    /**
     * Makes the checked phases the stored run's own, inside the transaction that stores it: the
     * phases' metrics, the artifacts (hard-linked), a {@code phase-reused} event each and the run's
     * summary so far. The source is read again under a share lock, so a delete cannot slip between
     * the check and the reuse. Returns the first phase left to run.
     */
    int reuse(Experiment fork, Reuse reuse) {
        List<UUID> locked =
                jdbc.queryForList("select id from experiments where id = ? for share", UUID.class, reuse.source());
        if (locked.isEmpty()) {
            throw new ApiException(
                    ProblemType.NOT_FOUND,
                    EXPERIMENT_FIELD + ": experiment " + reuse.source() + " not found",
                    List.of(new FieldProblem(
                            EXPERIMENT_FIELD, "experiment " + reuse.source() + " was deleted meanwhile")));
        }
        List<Phase> trained = phases.findByExperiment(reuse.source());
        List<Phase> own = phases.findByExperiment(fork.getId());
        for (int j = 0; j <= reuse.lastPhase(); j++) {
            own.get(j).reuse(trained.get(j));
        }
        phases.flush();
        try {
            artifacts.share(reuse.source(), fork.getId(), reuse.lastPhase());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot share the artifacts of experiment " + reuse.source(), e);
        }
        List<Phase> done = own.subList(0, reuse.lastPhase() + 1);
        fork.forkOf(reuse.source(), reuse.lastPhase());
        fork.phaseCompleted(done.size(), JSON.writeValueAsString(RunSummaries.of(done)), Instant.now());
        experiments.flush();
        for (Phase phase : done) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("phase", phase.getPhaseIndex());
            data.put("from", new ExperimentViews.Fork(reuse.source(), phase.getPhaseIndex()));
            data.put("trainedIn", phase.getReusedFrom());
            data.put("metrics", ExperimentService.toView(phase, artifactDigest(fork.getId(), phase.getPhaseIndex())));
            events.publish(fork.getId(), EventTypes.PHASE_REUSED, data);
        }
        return reuse.lastPhase() + 1;
    }

    private String artifactDigest(UUID experiment, int phase) {
        return artifacts
                .find(experiment, phase, ArtifactStore.STATE)
                .map(ArtifactStore.ArtifactRecord::sha256)
                .orElse(null);
    }
}
