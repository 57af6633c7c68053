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
        String name,
        Double beta1,
        Double beta2,
        Double temperature,
        Double lambdaOkd,
        Integer compressionEpochs,
        Double compressionLr,
        Boolean isTeacherWa,
        Boolean isStudentWa,
        Double waValue,
        String oofc)
        implements MethodSpec {

    public static final String NAME = "foster";
    public static final String OOFC_FINETUNE = "ft";
}
