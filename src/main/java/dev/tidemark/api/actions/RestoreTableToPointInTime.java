package dev.tidemark.api.actions;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tidemark.api.Action;
import dev.tidemark.api.Constraints;
import dev.tidemark.api.Json;
import dev.tidemark.api.RequestContext;
import dev.tidemark.api.TableDescriptions;
import dev.tidemark.errors.DynamoException;
import dev.tidemark.pitr.PitrService;
import dev.tidemark.tables.CrossRegionRestores;
import dev.tidemark.tables.Database;
import dev.tidemark.tables.Table;
import dev.tidemark.tables.TableDefinition;

/**
 * RestoreTableToPointInTime: a new table holding exactly the source's items as of the instant
 * (resolved to the millisecond), from a live table or a deleted one named by its ARN.
 */
public final class RestoreTableToPointInTime implements Action {
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .findAndAddModules()
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
          .build();
  private final Database db;
  private final PitrService pitr;

  public RestoreTableToPointInTime(Database db, PitrService pitr) {
    this.db = db;
    this.pitr = pitr;
  }

  @Override
  public String name() {
    return "RestoreTableToPointInTime";
  }

  @Override
  public ObjectNode execute(RequestContext context, JsonNode req) {
    String sourceName = Json.string(req, "SourceTableName");
    String sourceArn = Json.string(req, "SourceTableArn");
    Boolean latest = Json.bool(req, "UseLatestRestorableTime");
    Long at = Json.epochMillis(req, "RestoreDateTime");
    new Constraints()
        .name(sourceName, "sourceTableName")
        .tableNameOrArn(sourceArn, "sourceTableArn")
        .check();
    if ((sourceName == null) == (sourceArn == null)) {
      throw DynamoException.validation(
          "Must provide exactly one of: sourceTableArn, sourceTableName");
    }
    boolean useLatest = Boolean.TRUE.equals(latest);
    if (useLatest == (at != null)) {
      throw DynamoException.validation(
          "Invalid Request: Either one of RestoreDateTime or UseLatestRestorableTime must be"
              + " specified, but not both");
    }
    String region = CrossRegionRestores.regionOf(sourceArn);
    if (region != null && !region.equals(db.region())) {
      return RestoreTargets.fromRegion(
          db,
          req,
          () -> db.crossRegionRestores().pointInTime(region, sourceArn, useLatest ? null : at));
    }
    synchronized (db.catalog()) {
      String target = RestoreTargets.targetName(db, req);
      PitrService.Choice choice = pitr.choose(sourceName, sourceArn, useLatest ? null : at);
      TableDefinition def = RestoreTargets.build(db, choice.definition(), target, req);
      Table table = pitr.restore(choice.source(), choice.instant(), def);
      ObjectNode out = Json.object();
      out.set("TableDescription", TableDescriptions.describe(db, table));
      return out;
    }
  }
}
