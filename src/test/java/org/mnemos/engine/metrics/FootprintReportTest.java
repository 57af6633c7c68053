package org.mnemos.engine.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Model and exemplar bytes of a phase against a fixture counted by hand. */
class FootprintReportTest {

    @Test
    void parametersAndBuffersCountAtTheirDataTypeAndTheExemplarsAreAdded() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            SequentialBlock block = new SequentialBlock()
                    .add(Linear.builder().setUnits(4).build())
                    .add(BatchNorm.builder().build());
            block.initialize(manager, DataType.FLOAT32, new Shape(2, 3));
            // weight 4x3 and bias 4, gamma 4 and beta 4 (float32): 24 elements, 96 bytes;
            // running mean and variance 4 each (float32): 32 bytes of buffers
            FootprintReport report = FootprintReport.of(block.getParameters().values(), 3 * 28 * 28);
            assertThat(report.bufferBytes()).isEqualTo(32);
            assertThat(report.modelBytes()).isEqualTo(96 + 32);
            assertThat(report.exemplarBytes()).isEqualTo(2352);
            assertThat(report.totalBytes()).isEqualTo(128 + 2352);

            // a half-precision weight counts two bytes per element
            Parameter half = Parameter.builder()
                    .setName("half")
                    .setType(Parameter.Type.WEIGHT)
                    .build();
            half.setArray(manager.zeros(new Shape(5, 2), DataType.FLOAT16));
            List<Parameter> parameters = new ArrayList<>(block.getParameters().values());
            parameters.add(half);
            assertThat(FootprintReport.of(parameters, 0).modelBytes()).isEqualTo(128 + 20);
            assertThat(FootprintReport.of(parameters, 0).reportName()).isEqualTo("footprint");
        }
    }
}
