package org.mnemos.experiment;

import java.util.List;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

public interface PhaseRepository extends JpaRepository<Phase, Phase.Key> {

    @Query("select p from Phase p where p.key.experimentId = :id order by p.key.phaseIndex")
    List<Phase> findByExperiment(@Param("id") UUID experimentId);
}
