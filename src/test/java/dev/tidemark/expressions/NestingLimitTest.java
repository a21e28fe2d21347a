package dev.tidemark.expressions;

import static dev.tidemark.expressions.T.validation;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Deeply nested expressions are refused as DynamoDB refuses them (redundant parentheses, or too
 * many operators), never by overflowing the stack: a 4 KB text can nest about 2,000 levels. Each
 * case runs on a thread with a 512 KB stack, half the JVM's default for request threads.
 */
class NestingLimitTest {
  private static final ExpressionContext CTX = T.values("{':v':{S:'x'}}");

  private static void onSmallStack(Runnable check) throws InterruptedException {
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread t =
        new Thread(
            null,
            () -> {
              try {
                check.run();
              } catch (Throwable e) {
                failure.set(e);
              }
            },
            "small-stack",
            512 * 1024);
    t.start();
    t.join();
    assertThat(failure.get()).isNull();
  }

  // 2,040 pairs of parentheses around one comparison: DynamoDB's redundant-parentheses refusal.
  @Test
  void deepParenthesesAreRedundant() throws InterruptedException {
    String deep = "(".repeat(2040) + "a = :v" + ")".repeat(2040);
    onSmallStack(
        () ->
            validation(
                () -> Expressions.parseCondition(deep, CTX, "FilterExpression"),
                "Invalid FilterExpression: The expression has redundant parentheses;"));
    String operand = "a = " + "(".repeat(2000) + ":v" + ")".repeat(2000);
    onSmallStack(
        () ->
            validation(
                () -> Expressions.parseCondition(operand, CTX, "ConditionExpression"),
                "Invalid ConditionExpression: The expression has redundant parentheses;"));
    String update = "SET a = " + "(".repeat(2000) + ":v" + ")".repeat(2000);
    onSmallStack(
        () ->
            validation(
                () -> Expressions.parseUpdate(update, CTX),
                "Invalid UpdateExpression: The expression has redundant parentheses;"));
  }

  // A chain of 1,020 NOTs, or 680 nested function calls, is over DynamoDB's 300 operators.
  @Test
  void deepOperatorChainsHaveTooManyOperators() throws InterruptedException {
    String nots = "NOT ".repeat(1020) + "a = :v";
    onSmallStack(
        () ->
            validation(
                () -> Expressions.parseCondition(nots, CTX, "FilterExpression"),
                "Invalid FilterExpression: The expression contains too many operators;"
                    + " operator count: 1021"));
    String calls = "size(".repeat(680) + "a" + ")".repeat(680) + " > :v";
    onSmallStack(
        () ->
            validation(
                () -> Expressions.parseCondition(calls, CTX, "FilterExpression"),
                "Invalid FilterExpression: The expression contains too many operators;"
                    + " operator count: 681"));
  }

  // Nesting that DynamoDB accepts (one operator per level, 140 levels) still parses.
  @Test
  void legitimateNestingStillParses() throws InterruptedException {
    String nested = "(a = :v AND ".repeat(140) + "a = :v" + ")".repeat(140);
    onSmallStack(() -> Expressions.parseCondition(nested, CTX, "FilterExpression"));
  }
}
