package dev.tidemark.crash;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the crash workload's clients know: every acknowledged write, in acknowledgement order, and
 * what each writer had sent without an answer when the server died. Each writer owns its own
 * compare-and-set item and its own marker group, so for those it knows the exact value the table
 * must hold (the acknowledged one, or the one in flight).
 */
final class CrashModel {
  static final int ACCOUNTS = 10;
  static final long OPENING_BALANCE = 1000;

  /** Acknowledged puts, key and value, in the order their acknowledgements arrived. */
  private final List<String[]> ackedPuts = new ArrayList<>();

  /** Acknowledged transfers' ledger ids, in acknowledgement order. */
  private final List<String> ackedTransfers = new ArrayList<>();

  final Writer[] writers;

  /** Per writer: its last acknowledged values and what it had in flight. */
  static final class Writer {
    volatile long casAcked;
    volatile Long casInFlight;
    volatile long stampAcked;
    volatile Long stampInFlight;
    volatile String[] putInFlight;
    volatile String transferInFlight;
    long nextPut;
    long nextTransfer;
  }

  CrashModel(int writers) {
    this.writers = new Writer[writers];
    for (int i = 0; i < writers; i++) {
      this.writers[i] = new Writer();
    }
  }

  synchronized void putAcked(String key, String value) {
    ackedPuts.add(new String[] {key, value});
  }

  synchronized void transferAcked(String id) {
    ackedTransfers.add(id);
  }

  /** How many puts and transfers were acknowledged so far: a watermark for a later snapshot. */
  synchronized long[] watermark() {
    return new long[] {ackedPuts.size(), ackedTransfers.size()};
  }

  synchronized List<String[]> puts(long upTo) {
    return new ArrayList<>(ackedPuts.subList(0, (int) upTo));
  }

  synchronized List<String> transfers(long upTo) {
    return new ArrayList<>(ackedTransfers.subList(0, (int) upTo));
  }

  synchronized long putCount() {
    return ackedPuts.size();
  }

  synchronized long transferCount() {
    return ackedTransfers.size();
  }

  /**
   * After a restart has been checked: whatever of the in-flight writes survived is now part of the
   * table, so the model adopts it; whatever did not is forgotten.
   */
  synchronized void settle(Map<String, Map<String, String>> table) {
    for (int w = 0; w < writers.length; w++) {
      Writer wr = writers[w];
      Map<String, String> cas = table.get("cas-" + w);
      wr.casAcked = cas == null ? 0 : Long.parseLong(cas.get("v"));
      wr.casInFlight = null;
      Map<String, String> mk = table.get("mk-" + w + "-0");
      wr.stampAcked = mk == null ? 0 : Long.parseLong(mk.get("stamp"));
      wr.stampInFlight = null;
      String[] put = wr.putInFlight;
      if (put != null && table.containsKey(put[0])) {
        ackedPuts.add(put);
      }
      wr.putInFlight = null;
      String tx = wr.transferInFlight;
      if (tx != null && table.containsKey(tx)) {
        ackedTransfers.add(tx);
      }
      wr.transferInFlight = null;
    }
  }

  static Map<String, Map<String, String>> newTable() {
    return new ConcurrentHashMap<>();
  }
}
