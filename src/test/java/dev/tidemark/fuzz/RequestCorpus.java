package dev.tidemark.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * Valid requests for every operation Tidemark registers, the seeds the fuzzer mutates. They name
 * the fixture tables {@code fuzz} (string hash, number range, a local and a global index) and
 * {@code fuzz_b} (binary hash, PITR on); the canary table is never named here, so no request the
 * fuzzer derives can legitimately change it. {@code ${N}} becomes a small number, so creates,
 * restores and deletes churn through a bounded set of tables.
 */
final class RequestCorpus {
  static final ObjectMapper JSON = new ObjectMapper();

  /** Streams operations are registered, and targeted, under their whole target name. */
  static final String STREAMS = "DynamoDBStreams_20120810.";

  private static final Map<String, List<String>> TEMPLATES = new LinkedHashMap<>();

  private static void add(String op, String json) {
    TEMPLATES.computeIfAbsent(op, k -> new ArrayList<>()).add(json);
  }

  static {
    add(
        "PutItem",
        """
        {"TableName":"fuzz","Item":{"pk":{"S":"p${N}"},"sk":{"N":"${N}"},"g":{"S":"g1"},"l":{"N":"3"},
         "doc":{"M":{"list":{"L":[{"N":"1"},{"S":"two"},{"BOOL":true},{"NULL":true}]},
         "set":{"SS":["a","b"]},"bin":{"B":"AAEC"},"ns":{"NS":["1","2.5"]},"bs":{"BS":["AQ=="]}}}},
         "ConditionExpression":"attribute_not_exists(pk) OR #v < :v",
         "ExpressionAttributeNames":{"#v":"ver"},"ExpressionAttributeValues":{":v":{"N":"10"}},
         "ReturnValues":"ALL_OLD","ReturnConsumedCapacity":"INDEXES",
         "ReturnItemCollectionMetrics":"SIZE","ReturnValuesOnConditionCheckFailure":"ALL_OLD"}
        """);
    add(
        "PutItem",
        """
        {"TableName":"fuzz_b","Item":{"pk":{"B":"cGs="},"v":{"S":"x"}},
         "Expected":{"v":{"ComparisonOperator":"NE","AttributeValueList":[{"S":"y"}]}}}
        """);
    add(
        "GetItem",
        """
        {"TableName":"fuzz","Key":{"pk":{"S":"p${N}"},"sk":{"N":"${N}"}},"ConsistentRead":true,
         "ProjectionExpression":"#d.list[1], sk, doc.#s","ExpressionAttributeNames":{"#d":"doc","#s":"set"},
         "ReturnConsumedCapacity":"TOTAL"}
        """);
    add(
        "GetItem",
        """
        {"TableName":"fuzz_b","Key":{"pk":{"B":"cGs="}},"AttributesToGet":["v","pk"]}
        """);
    add(
        "UpdateItem",
        """
        {"TableName":"fuzz","Key":{"pk":{"S":"p${N}"},"sk":{"N":"${N}"}},
         "UpdateExpression":"SET ver = if_not_exists(ver, :zero) + :one, doc.list[0] = :v, #t = list_append(if_not_exists(#t, :empty), :l) ADD cnt :one, tags :ss DELETE doc.#s :del REMOVE gone, doc.list[3]",
         "ConditionExpression":"attribute_not_exists(ver) OR (ver BETWEEN :zero AND :big AND size(pk) > :zero AND begins_with(pk, :p) AND contains(doc.#s, :a))",
         "ExpressionAttributeNames":{"#t":"trail","#s":"set"},
         "ExpressionAttributeValues":{":zero":{"N":"0"},":one":{"N":"1"},":big":{"N":"1e10"},":v":{"S":"v"},
          ":empty":{"L":[]},":l":{"L":[{"N":"7"}]},":ss":{"SS":["t1"]},":del":{"SS":["b"]},":p":{"S":"p"},":a":{"S":"a"}},
         "ReturnValues":"UPDATED_NEW","ReturnConsumedCapacity":"INDEXES"}
        """);
    add(
        "UpdateItem",
        """
        {"TableName":"fuzz","Key":{"pk":{"S":"p${N}"},"sk":{"N":"${N}"}},
         "AttributeUpdates":{"cnt":{"Action":"ADD","Value":{"N":"2"}},"old":{"Action":"DELETE"}},
         "Expected":{"pk":{"Exists":true,"Value":{"S":"p${N}"}}},"ReturnValues":"ALL_NEW"}
        """);
    add(
        "DeleteItem",
        """
        {"TableName":"fuzz","Key":{"pk":{"S":"p${N}"},"sk":{"N":"${N}"}},
         "ConditionExpression":"attribute_exists(pk) AND NOT (cnt IN (:a, :b)) AND attribute_type(g, :s)",
         "ExpressionAttributeValues":{":a":{"N":"100"},":b":{"N":"200"},":s":{"S":"S"}},"ReturnValues":"ALL_OLD"}
        """);
    add(
        "Query",
        """
        {"TableName":"fuzz","KeyConditionExpression":"pk = :p AND sk BETWEEN :lo AND :hi",
         "FilterExpression":"attribute_exists(g) OR cnt > :lo","ProjectionExpression":"pk, sk, g, doc.list[0]",
         "ExpressionAttributeValues":{":p":{"S":"p${N}"},":lo":{"N":"0"},":hi":{"N":"100"}},
         "ScanIndexForward":false,"Limit":5,"ConsistentRead":true,"ReturnConsumedCapacity":"INDEXES",
         "ExclusiveStartKey":{"pk":{"S":"p${N}"},"sk":{"N":"50"}}}
        """);
    add(
        "Query",
        """
        {"TableName":"fuzz","IndexName":"gsi","KeyConditionExpression":"g = :g AND sk >= :lo",
         "ExpressionAttributeValues":{":g":{"S":"g1"},":lo":{"N":"0"}},"Select":"COUNT"}
        """);
    add(
        "Query",
        """
        {"TableName":"fuzz","IndexName":"lsi","KeyConditions":{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"p1"}]},
         "l":{"ComparisonOperator":"GT","AttributeValueList":[{"N":"0"}]}},"Select":"ALL_ATTRIBUTES",
         "QueryFilter":{"cnt":{"ComparisonOperator":"NOT_NULL"}},"ConditionalOperator":"OR"}
        """);
    add(
        "Scan",
        """
        {"TableName":"fuzz","FilterExpression":"contains(tags, :t) OR size(doc.list) >= :n",
         "ExpressionAttributeValues":{":t":{"S":"t1"},":n":{"N":"1"}},"Segment":0,"TotalSegments":3,
         "Limit":20,"ReturnConsumedCapacity":"TOTAL"}
        """);
    add(
        "Scan",
        """
        {"TableName":"fuzz","IndexName":"gsi","Select":"ALL_PROJECTED_ATTRIBUTES",
         "ExclusiveStartKey":{"pk":{"S":"p1"},"sk":{"N":"1"},"g":{"S":"g1"}}}
        """);
    add(
        "BatchGetItem",
        """
        {"RequestItems":{"fuzz":{"Keys":[{"pk":{"S":"p1"},"sk":{"N":"1"}},{"pk":{"S":"p${N}"},"sk":{"N":"${N}"}}],
         "ProjectionExpression":"pk, #g","ExpressionAttributeNames":{"#g":"g"},"ConsistentRead":true},
         "fuzz_b":{"Keys":[{"pk":{"B":"cGs="}}]}},"ReturnConsumedCapacity":"TOTAL"}
        """);
    add(
        "BatchWriteItem",
        """
        {"RequestItems":{"fuzz":[{"PutRequest":{"Item":{"pk":{"S":"b${N}"},"sk":{"N":"1"},"g":{"S":"g2"}}}},
         {"DeleteRequest":{"Key":{"pk":{"S":"b${N}"},"sk":{"N":"2"}}}}],
         "fuzz_b":[{"PutRequest":{"Item":{"pk":{"B":"YmI="},"n":{"N":"-1.5e-3"}}}}]},
         "ReturnConsumedCapacity":"INDEXES","ReturnItemCollectionMetrics":"SIZE"}
        """);
    add(
        "TransactWriteItems",
        """
        {"TransactItems":[
         {"ConditionCheck":{"TableName":"fuzz","Key":{"pk":{"S":"p1"},"sk":{"N":"1"}},
           "ConditionExpression":"attribute_not_exists(nope)"}},
         {"Put":{"TableName":"fuzz","Item":{"pk":{"S":"t${N}"},"sk":{"N":"1"},"bal":{"N":"5"}},
           "ConditionExpression":"attribute_not_exists(pk)","ReturnValuesOnConditionCheckFailure":"ALL_OLD"}},
         {"Update":{"TableName":"fuzz","Key":{"pk":{"S":"t${N}"},"sk":{"N":"2"}},
           "UpdateExpression":"ADD bal :d","ExpressionAttributeValues":{":d":{"N":"-5"}}}},
         {"Delete":{"TableName":"fuzz_b","Key":{"pk":{"B":"dHg="}}}}],
         "ClientRequestToken":"tok-${N}","ReturnConsumedCapacity":"INDEXES","ReturnItemCollectionMetrics":"SIZE"}
        """);
    add(
        "TransactGetItems",
        """
        {"TransactItems":[{"Get":{"TableName":"fuzz","Key":{"pk":{"S":"p1"},"sk":{"N":"1"}},
          "ProjectionExpression":"#p","ExpressionAttributeNames":{"#p":"pk"}}},
         {"Get":{"TableName":"fuzz_b","Key":{"pk":{"B":"cGs="}}}}],"ReturnConsumedCapacity":"TOTAL"}
        """);
    add(
        "CreateTable",
        """
        {"TableName":"fuzz_new_${N}","BillingMode":"PROVISIONED",
         "ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":5},
         "AttributeDefinitions":[{"AttributeName":"h","AttributeType":"S"},{"AttributeName":"r","AttributeType":"B"},
          {"AttributeName":"x","AttributeType":"N"}],
         "KeySchema":[{"AttributeName":"h","KeyType":"HASH"},{"AttributeName":"r","KeyType":"RANGE"}],
         "LocalSecondaryIndexes":[{"IndexName":"lx","KeySchema":[{"AttributeName":"h","KeyType":"HASH"},
          {"AttributeName":"x","KeyType":"RANGE"}],"Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["a"]}}],
         "GlobalSecondaryIndexes":[{"IndexName":"gx","KeySchema":[{"AttributeName":"x","KeyType":"HASH"}],
          "Projection":{"ProjectionType":"KEYS_ONLY"},
          "ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}],
         "StreamSpecification":{"StreamEnabled":false},"SSESpecification":{"Enabled":true},
         "Tags":[{"Key":"k","Value":"v"}],"TableClass":"STANDARD","DeletionProtectionEnabled":false}
        """);
    add("DescribeTable", "{\"TableName\":\"fuzz\"}");
    add("ListTables", "{\"ExclusiveStartTableName\":\"fuzz\",\"Limit\":3}");
    add(
        "UpdateTable",
        """
        {"TableName":"fuzz_new_${N}","BillingMode":"PAY_PER_REQUEST",
         "AttributeDefinitions":[{"AttributeName":"y","AttributeType":"S"}],
         "GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"gy","KeySchema":[{"AttributeName":"y","KeyType":"HASH"}],
          "Projection":{"ProjectionType":"ALL"}}},{"Delete":{"IndexName":"gx"}}],
         "DeletionProtectionEnabled":false,"TableClass":"STANDARD_INFREQUENT_ACCESS"}
        """);
    add("DeleteTable", "{\"TableName\":\"fuzz_new_${N}\"}");
    add("CreateBackup", "{\"TableName\":\"fuzz_b\",\"BackupName\":\"fz-${N}\"}");
    add("DescribeBackup", "{\"BackupArn\":\"${ARN}\"}");
    add(
        "ListBackups",
        """
        {"TableName":"fuzz_b","Limit":5,"TimeRangeLowerBound":1.0E9,"TimeRangeUpperBound":4102444800,
         "BackupType":"ALL","ExclusiveStartBackupArn":"${ARN}"}
        """);
    add("DeleteBackup", "{\"BackupArn\":\"${VICTIM_ARN}\"}");
    add(
        "RestoreTableFromBackup",
        """
        {"TargetTableName":"fuzz_restored_${N}","BackupArn":"${ARN}","BillingModeOverride":"PROVISIONED",
         "ProvisionedThroughputOverride":{"ReadCapacityUnits":2,"WriteCapacityUnits":2},
         "GlobalSecondaryIndexOverride":[],"LocalSecondaryIndexOverride":[],
         "SSESpecificationOverride":{"Enabled":false}}
        """);
    add(
        "UpdateContinuousBackups",
        """
        {"TableName":"fuzz_b","PointInTimeRecoverySpecification":{"PointInTimeRecoveryEnabled":true,"RecoveryPeriodInDays":7}}
        """);
    add("DescribeContinuousBackups", "{\"TableName\":\"fuzz_b\"}");
    add(
        "RestoreTableToPointInTime",
        """
        {"SourceTableName":"fuzz_b","TargetTableName":"fuzz_pitr_${N}","UseLatestRestorableTime":true,
         "BillingModeOverride":"PAY_PER_REQUEST"}
        """);
    add(
        "RestoreTableToPointInTime",
        """
        {"SourceTableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/fuzz_b",
         "TargetTableName":"fuzz_pitr_${N}","RestoreDateTime":1.7e9}
        """);
    add(
        "UpdateTimeToLive",
        """
        {"TableName":"fuzz_b","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}}
        """);
    add("DescribeTimeToLive", "{\"TableName\":\"fuzz\"}");
    add(
        "TagResource",
        """
        {"ResourceArn":"arn:aws:dynamodb:us-east-1:000000000000:table/fuzz",
         "Tags":[{"Key":"k${N}","Value":"v"},{"Key":"aws:x","Value":""}]}
        """);
    add(
        "UntagResource",
        """
        {"ResourceArn":"arn:aws:dynamodb:us-east-1:000000000000:table/fuzz","TagKeys":["k${N}"]}
        """);
    add(
        "ListTagsOfResource",
        "{\"ResourceArn\":\"arn:aws:dynamodb:us-east-1:000000000000:table/fuzz\"}");
    add(
        "PutResourcePolicy",
        """
        {"ResourceArn":"arn:aws:dynamodb:us-east-1:000000000000:table/fuzz",
         "Policy":"{\\"Version\\":\\"2012-10-17\\",\\"Statement\\":[{\\"Effect\\":\\"Allow\\",\\"Principal\\":{\\"AWS\\":\\"arn:aws:iam::000000000000:user/u${N}\\"},\\"Action\\":\\"dynamodb:GetItem\\",\\"Resource\\":\\"arn:aws:dynamodb:us-east-1:000000000000:table/fuzz\\"}]}"}
        """);
    add(
        "GetResourcePolicy",
        "{\"ResourceArn\":\"arn:aws:dynamodb:us-east-1:000000000000:table/fuzz\"}");
    add(
        "DeleteResourcePolicy",
        "{\"ResourceArn\":\"arn:aws:dynamodb:us-east-1:000000000000:table/fuzz\"}");
    add("DescribeLimits", "{}");
    add(
        "CreateGlobalTable",
        "{\"GlobalTableName\":\"fuzz\",\"ReplicationGroup\":[{\"RegionName\":\"eu-west-1\"}]}");
    add(
        "UpdateGlobalTable",
        "{\"GlobalTableName\":\"fuzz\",\"ReplicaUpdates\":[{\"Delete\":{\"RegionName\":\"eu-west-1\"}}]}");
    add("DescribeGlobalTable", "{\"GlobalTableName\":\"fuzz\"}");
    add("ListGlobalTables", "{\"Limit\":5,\"RegionName\":\"eu-west-1\"}");
    add("DescribeGlobalTableSettings", "{\"GlobalTableName\":\"fuzz\"}");
    add(
        "UpdateGlobalTableSettings",
        "{\"GlobalTableName\":\"fuzz\",\"GlobalTableBillingMode\":\"PAY_PER_REQUEST\"}");
    add("DescribeEndpoints", "{}");
    add(STREAMS + "ListStreams", "{\"TableName\":\"fuzz\",\"Limit\":5}");
    add(STREAMS + "DescribeStream", "{\"StreamArn\":\"${STREAM_ARN}\",\"Limit\":10}");
    add(
        STREAMS + "GetShardIterator",
        """
        {"StreamArn":"${STREAM_ARN}","ShardId":"${SHARD_ID}","ShardIteratorType":"AFTER_SEQUENCE_NUMBER",
         "SequenceNumber":"${SEQUENCE}"}
        """);
    add(STREAMS + "GetRecords", "{\"ShardIterator\":\"${ITERATOR}\",\"Limit\":50}");
  }

  private final Map<String, String> substitutions;

  /** Substitutions: ${ARN}, ${VICTIM_ARN}, ${STREAM_ARN}, ${SHARD_ID}, ${SEQUENCE}, ${ITERATOR}. */
  RequestCorpus(Map<String, String> substitutions) {
    this.substitutions = Map.copyOf(substitutions);
  }

  static Set<String> operations() {
    return new TreeSet<>(TEMPLATES.keySet());
  }

  /** A valid request for {@code op}, with ${N} drawn from {@code random}. */
  ObjectNode request(String op, Random random) {
    List<String> choices = TEMPLATES.get(op);
    String text = choices.get(random.nextInt(choices.size()));
    for (Map.Entry<String, String> e : substitutions.entrySet()) {
      text = text.replace(e.getKey(), e.getValue());
    }
    text = text.replace("${N}", Integer.toString(random.nextInt(12)));
    try {
      return (ObjectNode) JSON.readTree(text);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("template of " + op + " is not JSON", e);
    }
  }

  /** Every member name used anywhere in the corpus, for mutations that add plausible fields. */
  static List<String> memberNames() {
    Set<String> names = new TreeSet<>();
    for (List<String> list : TEMPLATES.values()) {
      for (String t : list) {
        try {
          collect(JSON.readTree(t.replace("${N}", "1")), names);
        } catch (java.io.IOException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return new ArrayList<>(names);
  }

  private static void collect(JsonNode node, Set<String> names) {
    if (node.isObject()) {
      node.fieldNames().forEachRemaining(names::add);
    }
    node.forEach(child -> collect(child, names));
  }
}
