package org.mnemos.engine.spec;

/**
 * Options of the {@code foster} method (Wang et al., ECCV 2022, as PyCIL's {@code models/foster.py}
 * and its {@code exps/foster.json} name them); every field is optional.
 *
 * @param beta1 effective-number β of the boosting stage's logit adjustment (default 0.96)
 * @param beta2 effective-number β of the compression stage's balanced distillation (default 0.97)
 * @param temperature T of both distillations (default 2)
 * @param lambdaOkd weight of the boosting stage's distillation from the old model (default 1)
 * @param compressionEpochs epochs of the compression stage (default 130)
 * @param compressionLr learning rate of the compression stage: SGD, momentum 0.9, no weight
 *     decay, cosine (default: the training optimizer's)
 * @param isTeacherWa weight-align the teacher's new classes after boosting (default false)
 * @param isStudentWa weight-align the student's new classes after compression (default false)
 * @param waValue the factor of weight alignment (default 1)
 * @param oofc how the new classes' weights on the old features are treated: {@code ft} (trained,
 *     the default and the only one implemented)
 */
public record FosterSpec(
        Double beta1,
        Double beta2,
        Double temperature,
        Double lambdaOkd,
        Integer compressionEpochs,
        Double compressionLr,
        Boolean isTeacherWa,
        Boolean isStudentWa,
        Double waValue,
        String oofc) {

    public static final double DEFAULT_BETA1 = 0.96;
    public static final double DEFAULT_BETA2 = 0.97;
    public static final double DEFAULT_TEMPERATURE = 2.0;
    public static final double DEFAULT_LAMBDA_OKD = 1.0;
    public static final int DEFAULT_COMPRESSION_EPOCHS = 130;
    public static final double DEFAULT_WA_VALUE = 1.0;
    public static final String OOFC_FINETUNE = "ft";

    /** This spec with every null option but {@code compressionLr} replaced by its default (PyCIL's exps/foster.json). */
    public FosterSpec resolved() {
        return new FosterSpec(
                beta1 == null ? DEFAULT_BETA1 : beta1,
                beta2 == null ? DEFAULT_BETA2 : beta2,
                temperature == null ? DEFAULT_TEMPERATURE : temperature,
                lambdaOkd == null ? DEFAULT_LAMBDA_OKD : lambdaOkd,
                compressionEpochs == null ? DEFAULT_COMPRESSION_EPOCHS : compressionEpochs,
                compressionLr,
                isTeacherWa != null && isTeacherWa,
                isStudentWa != null && isStudentWa,
                waValue == null ? DEFAULT_WA_VALUE : waValue,
                oofc == null ? OOFC_FINETUNE : oofc);
    }
}
