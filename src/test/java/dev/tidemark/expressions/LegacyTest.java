package dev.tidemark.expressions;

import static dev.tidemark.expressions.T.item;
import static dev.tidemark.expressions.T.json;
import static dev.tidemark.expressions.T.validation;
import static dev.tidemark.expressions.T.wire;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.model.AttributeValue;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LegacyTest {
  private static final Map<String, AttributeValue> ITEM =
      item("{n:{N:'5'}, s:{S:'hello'}, ss:{SS:['x']}, l:{L:[{S:'x'}]}}");

  private static boolean filter(String relaxed) {
    return Expressions.fromFilter(json(relaxed), null).test(ITEM);
  }

  // Protects each legacy ComparisonOperator against a sample item.
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{n:{ComparisonOperator:'EQ',AttributeValueList:[{N:'5'}]}}|true",
        "{n:{ComparisonOperator:'NE',AttributeValueList:[{N:'5'}]}}|false",
        "{gone:{ComparisonOperator:'NE',AttributeValueList:[{N:'5'}]}}|true",
        "{n:{ComparisonOperator:'LT',AttributeValueList:[{N:'6'}]}}|true",
        "{n:{ComparisonOperator:'LE',AttributeValueList:[{N:'4'}]}}|false",
        "{n:{ComparisonOperator:'GT',AttributeValueList:[{S:'4'}]}}|false",
        "{n:{ComparisonOperator:'GE',AttributeValueList:[{N:'5'}]}}|true",
        "{n:{ComparisonOperator:'NOT_NULL'}}|true",
        "{gone:{ComparisonOperator:'NULL'}}|true",
        "{s:{ComparisonOperator:'CONTAINS',AttributeValueList:[{S:'ell'}]}}|true",
        "{ss:{ComparisonOperator:'CONTAINS',AttributeValueList:[{S:'x'}]}}|true",
        "{l:{ComparisonOperator:'CONTAINS',AttributeValueList:[{S:'x'}]}}|true",
        "{s:{ComparisonOperator:'NOT_CONTAINS',AttributeValueList:[{S:'z'}]}}|true",
        "{s:{ComparisonOperator:'BEGINS_WITH',AttributeValueList:[{S:'he'}]}}|true",
        "{n:{ComparisonOperator:'IN',AttributeValueList:[{N:'1'},{N:'5'}]}}|true",
        "{n:{ComparisonOperator:'BETWEEN',AttributeValueList:[{N:'1'},{N:'5'}]}}|true",
        "{n:{ComparisonOperator:'BETWEEN',AttributeValueList:[{N:'6'},{N:'9'}]}}|false",
      })
  void comparisonOperators(String filter, boolean expected) {
    assertThat(filter(filter)).isEqualTo(expected);
  }

  // Protects ConditionalOperator AND (default) and OR.
  @Test
  void conditionalOperator() {
    String two =
        "{n:{ComparisonOperator:'EQ',AttributeValueList:[{N:'5'}]},"
            + " s:{ComparisonOperator:'EQ',AttributeValueList:[{S:'no'}]}}";
    assertThat(Expressions.fromFilter(json(two), null).test(ITEM)).isFalse();
    assertThat(Expressions.fromFilter(json(two), "AND").test(ITEM)).isFalse();
    assertThat(Expressions.fromFilter(json(two), "OR").test(ITEM)).isTrue();
  }

  // Protects Expected's Value/Exists forms.
  @Test
  void expectedValueAndExists() {
    assertThat(Expressions.fromExpected(json("{n:{Value:{N:'5'}}}"), null).test(ITEM)).isTrue();
    assertThat(Expressions.fromExpected(json("{n:{Exists:true, Value:{N:'4'}}}"), null).test(ITEM))
        .isFalse();
    assertThat(Expressions.fromExpected(json("{gone:{Exists:false}}"), null).test(ITEM)).isTrue();
    assertThat(Expressions.fromExpected(json("{n:{Exists:false}}"), null).test(Map.of())).isTrue();
    assertThat(
            Expressions.fromExpected(
                    json("{n:{ComparisonOperator:'GT', AttributeValueList:[{N:'1'}]}}"), null)
                .test(ITEM))
        .isTrue();
  }

  // Protects Expected's parameter-combination messages.
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{a:{}}|Value must be provided when Exists is null for Attribute: a",
        "{a:{Exists:true}}|Value must be provided when Exists is true for Attribute: a",
        "{a:{Exists:false, Value:{S:'a'}}}|Value cannot be used when Exists is false for Attribute:"
            + " a",
        "{a:{ComparisonOperator:'LT'}}|Value or AttributeValueList must be used with"
            + " ComparisonOperator: LT for Attribute: a",
        "{a:{Exists:true, ComparisonOperator:'LT'}}|Exists and ComparisonOperator cannot be used"
            + " together for Attribute: a",
        "{a:{AttributeValueList:[{S:'a'}], Value:{S:'a'}, ComparisonOperator:'LT'}}|Value and"
            + " AttributeValueList cannot be used together for Attribute: a",
        "{a:{AttributeValueList:[{S:'a'}]}}|AttributeValueList can only be used with a"
            + " ComparisonOperator for Attribute: a",
        "{a:{Value:{S:'a'}, ComparisonOperator:'NULL'}}|Invalid number of argument(s) for the NULL"
            + " ComparisonOperator",
        "{a:{AttributeValueList:[{BOOL:true}], ComparisonOperator:'LT'}}|ComparisonOperator LT is"
            + " not valid for BOOL AttributeValue type",
        "{a:{AttributeValueList:[{N:'1'}], ComparisonOperator:'BEGINS_WITH'}}|ComparisonOperator"
            + " BEGINS_WITH is not valid for N AttributeValue type",
        "{a:{AttributeValueList:[{SS:['a']}], ComparisonOperator:'CONTAINS'}}|ComparisonOperator"
            + " CONTAINS is not valid for SS AttributeValue type",
      })
  void expectedErrors(String expected, String message) {
    validation(
        () -> Expressions.fromExpected(json(expected), null),
        "One or more parameter values were invalid: " + message);
  }

  // Protects AttributeUpdates PUT, ADD (number, set, list) and DELETE (attribute, set elements).
  @Test
  void attributeUpdates() {
    UpdatePlan plan =
        Expressions.fromAttributeUpdates(
            json(
                "{p:{Value:{S:'new'}}, n:{Action:'ADD', Value:{N:'2'}},"
                    + " ss:{Action:'ADD', Value:{SS:['y']}}, l:{Action:'ADD', Value:{L:[{S:'y'}]}},"
                    + " s:{Action:'DELETE'}}"));
    assertThat(wire(plan.apply(ITEM)))
        .isEqualTo(
            "{\"n\":{\"N\":\"7\"},\"ss\":{\"SS\":[\"x\",\"y\"]},"
                + "\"l\":{\"L\":[{\"S\":\"x\"},{\"S\":\"y\"}]},\"p\":{\"S\":\"new\"}}");
    assertThat(plan.updatedTopLevelNames()).containsExactly("p", "n", "ss", "l", "s");
    UpdatePlan del =
        Expressions.fromAttributeUpdates(json("{ss:{Action:'DELETE', Value:{SS:['x']}}}"));
    assertThat(del.apply(ITEM)).doesNotContainKey("ss");
  }

  // Protects AttributeUpdates validation and apply-time messages.
  @Test
  void attributeUpdateErrors() {
    validation(
        () -> Expressions.fromAttributeUpdates(json("{a:{Action:'PUT'}}")),
        "One or more parameter values were invalid: Only DELETE action is allowed when no"
            + " attribute value is specified");
    validation(
        () -> Expressions.fromAttributeUpdates(json("{a:{Action:'DELETE', Value:{S:'1'}}}")),
        "One or more parameter values were invalid: DELETE action with value is not supported for"
            + " the type S");
    validation(
        () -> Expressions.fromAttributeUpdates(json("{a:{Action:'ADD', Value:{B:'YQ=='}}}")),
        "One or more parameter values were invalid: ADD action is not supported for the type B");
    UpdatePlan mismatch =
        Expressions.fromAttributeUpdates(json("{ss:{Action:'ADD', Value:{NS:['1']}}}"));
    validation(() -> mismatch.apply(ITEM), "Type mismatch for attribute to update");
  }
}
