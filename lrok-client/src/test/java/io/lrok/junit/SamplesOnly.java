package io.lrok.junit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Marks a sample test class that only an engine run started by a test may run (some fail on purpose): it is
 * disabled unless the configuration parameter {@value #PARAMETER} is {@code true}, as {@link WithPublicUrlEngineTest}
 * sets it. So a build, an IDE or {@code -Dtest=...} that finds the samples skips them.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(SamplesOnly.Condition.class)
@interface SamplesOnly {
    String PARAMETER = "io.lrok.junit.samples";

    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getConfigurationParameter(PARAMETER).filter("true"::equals).isPresent()
                    ? ConditionEvaluationResult.enabled("run by an engine test")
                    : ConditionEvaluationResult.disabled("a sample for WithPublicUrlEngineTest's engine runs");
        }
    }
}
