package dev.natsproof.broker.nats;

import io.nats.client.JetStreamApiException;

/**
 * The JetStream API error codes the broker acts on, by the names nats-server gives them in its
 * {@code errors.json}. Logic compares against these, never against bare numbers.
 */
final class JetStreamErrors {
  private JetStreamErrors() {}

  /** JSClusterNotAvailErr: "JetStream system temporarily unavailable" (no meta leader yet). */
  static final int CLUSTER_NOT_AVAILABLE = 10008;

  /**
   * JSClusterNoPeersErrF: "no suitable peers for placement": the meta leader does not know enough
   * live peers for the replicas asked, as right after a cluster forms (a peer's first report not in
   * yet) or while a node restarts.
   */
  static final int NO_SUITABLE_PEERS = 10005;

  /** JSConsumerNameExistErr: "consumer name already in use". */
  static final int CONSUMER_NAME_EXISTS = 10013;

  /** JSConsumerNotFoundErr: "consumer not found". */
  static final int CONSUMER_NOT_FOUND = 10014;

  /** JSNoMessageFoundErr: "no message found". */
  static final int NO_MESSAGE_FOUND = 10037;

  /** JSStreamMessageExceedsMaximumErr: "message size exceeds maximum allowed". */
  static final int MESSAGE_EXCEEDS_MAXIMUM = 10054;

  /** JSStreamNameExistErr: "stream name already in use with a different configuration". */
  static final int STREAM_NAME_EXISTS = 10058;

  /** JSStreamNotFoundErr: "stream not found". */
  static final int STREAM_NOT_FOUND = 10059;

  /** JSStreamNotMatchErr: "expected stream does not match". */
  static final int STREAM_NOT_MATCH = 10060;

  /** JSStreamSequenceNotMatchErr: "expected stream sequence does not match". */
  static final int STREAM_SEQUENCE_NOT_MATCH = 10063;

  /** JSStreamWrongLastSequenceErrF: "wrong last sequence: {seq}". */
  static final int WRONG_LAST_SEQUENCE = 10071;

  /** JSStreamStoreFailedF: a store error, e.g. "maximum bytes exceeded" under discard-new. */
  static final int STREAM_STORE_FAILED = 10077;

  /** JSConsumerAlreadyExists: "consumer already exists" (a create that must not update). */
  static final int CONSUMER_ALREADY_EXISTS = 10148;

  /** JSStreamWrongLastSequenceConstantErr: "wrong last sequence" (2.11+). */
  static final int WRONG_LAST_SEQUENCE_CONSTANT = 10164;

  /** JSStreamTooManyRequests: "too many requests", an ingest limit (2.11+): not stored. */
  static final int TOO_MANY_REQUESTS = 10167;

  static boolean is(JetStreamApiException e, int code) {
    return e.getApiErrorCode() == code;
  }
}
