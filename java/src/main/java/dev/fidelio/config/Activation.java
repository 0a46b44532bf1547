package dev.fidelio.config;

/** Activation functions of fully connected layers, spelled as Ludwig spells them. */
public enum Activation implements ConfigEnum {
    ELU("elu"), LEAKY_RELU("leakyRelu"), LOG_SIGMOID("logSigmoid"), RELU("relu"), SIGMOID("sigmoid"),
    TANH("tanh"), SOFTMAX("softmax");

    private final String yamlName;

    Activation(String yamlName) {
        this.yamlName = yamlName;
    }

    @Override
    public String yamlName() {
        return yamlName;
    }
}
