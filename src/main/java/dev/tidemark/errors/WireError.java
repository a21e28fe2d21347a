package dev.tidemark.errors;

/**
 * The catalog of every error that crosses the wire, with DynamoDB's type name and HTTP status.
 * Names here may be refactored; the {@code typeName} and {@code httpStatus} a client sees may not.
 */
public enum WireError {
  VALIDATION("ValidationException", 400),
  SERIALIZATION("SerializationException", 400),
  UNKNOWN_OPERATION("UnknownOperationException", 400),
  MISSING_AUTHENTICATION_TOKEN("MissingAuthenticationTokenException", 400),
  INCOMPLETE_SIGNATURE("IncompleteSignatureException", 400),
  INVALID_SIGNATURE("InvalidSignatureException", 400),
  UNRECOGNIZED_CLIENT("UnrecognizedClientException", 400),
  EXPIRED_TOKEN("ExpiredTokenException", 400),
  ACCESS_DENIED("AccessDeniedException", 400),
  REQUEST_TOO_LARGE("RequestEntityTooLarge", 413),
  RESOURCE_NOT_FOUND("ResourceNotFoundException", 400),
  RESOURCE_IN_USE("ResourceInUseException", 400),
  CONDITIONAL_CHECK_FAILED("ConditionalCheckFailedException", 400),
  TRANSACTION_CANCELED("TransactionCanceledException", 400),
  TRANSACTION_CONFLICT("TransactionConflictException", 400),
  TRANSACTION_IN_PROGRESS("TransactionInProgressException", 400),
  REPLICATED_WRITE_CONFLICT("ReplicatedWriteConflictException", 400),
  IDEMPOTENT_PARAMETER_MISMATCH("IdempotentParameterMismatchException", 400),
  ITEM_COLLECTION_SIZE_LIMIT_EXCEEDED("ItemCollectionSizeLimitExceededException", 400),
  LIMIT_EXCEEDED("LimitExceededException", 400),
  PROVISIONED_THROUGHPUT_EXCEEDED("ProvisionedThroughputExceededException", 400),
  THROTTLING("ThrottlingException", 400),
  TABLE_NOT_FOUND("TableNotFoundException", 400),
  GLOBAL_TABLE_NOT_FOUND("GlobalTableNotFoundException", 400),
  TABLE_ALREADY_EXISTS("TableAlreadyExistsException", 400),
  TABLE_IN_USE("TableInUseException", 400),
  BACKUP_NOT_FOUND("BackupNotFoundException", 400),
  BACKUP_IN_USE("BackupInUseException", 400),
  CONTINUOUS_BACKUPS_UNAVAILABLE("ContinuousBackupsUnavailableException", 400),
  POINT_IN_TIME_RECOVERY_UNAVAILABLE("PointInTimeRecoveryUnavailableException", 400),
  INVALID_RESTORE_TIME("InvalidRestoreTimeException", 400),
  EXPIRED_ITERATOR("ExpiredIteratorException", 400),
  TRIMMED_DATA_ACCESS("TrimmedDataAccessException", 400),
  POLICY_NOT_FOUND("PolicyNotFoundException", 400),
  // IAM and STS (query protocol); their fronts render these as XML error codes.
  NO_SUCH_ENTITY("NoSuchEntity", 404),
  ENTITY_ALREADY_EXISTS("EntityAlreadyExists", 409),
  DELETE_CONFLICT("DeleteConflict", 409),
  MALFORMED_POLICY_DOCUMENT("MalformedPolicyDocument", 400),
  INVALID_INPUT("InvalidInput", 400),
  IAM_VALIDATION("ValidationError", 400),
  IAM_LIMIT_EXCEEDED("LimitExceeded", 409),
  INVALID_ACTION("InvalidAction", 400),
  // AWS Backup (restJson1); its front sends the name in x-amzn-ErrorType. Every client error is
  // 400 there, ResourceNotFound included; the service's own faults are 500.
  INVALID_PARAMETER_VALUE("InvalidParameterValueException", 400),
  MISSING_PARAMETER_VALUE("MissingParameterValueException", 400),
  ALREADY_EXISTS("AlreadyExistsException", 400),
  INVALID_REQUEST("InvalidRequestException", 400),
  INVALID_RESOURCE_STATE("InvalidResourceStateException", 400),
  BACKUP_SERVICE_UNAVAILABLE("ServiceUnavailableException", 500),
  INTERNAL_SERVER_ERROR("InternalServerError", 500),
  SERVICE_UNAVAILABLE("ServiceUnavailable", 503);

  private static final String NAMESPACE = "com.amazonaws.dynamodb.v20120810#";

  private final String typeName;
  private final int httpStatus;

  WireError(String typeName, int httpStatus) {
    this.typeName = typeName;
    this.httpStatus = httpStatus;
  }

  public String typeName() {
    return typeName;
  }

  /** The {@code __type} value of the error body, as the AWS SDKs parse it. */
  public String qualifiedType() {
    return NAMESPACE + typeName;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public DynamoException exception(String message) {
    return new DynamoException(this, message);
  }
}
