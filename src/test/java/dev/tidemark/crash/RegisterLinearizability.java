package dev.tidemark.crash;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A linearizability checker for one read/write register (the Wing and Gong search with memoized
 * states, as Porcupine and Knossos do it): a history is linearizable iff its operations can be put
 * in one order that respects real time (an operation that returned before another was invoked comes
 * first) and in which every read returns the value of the latest write before it (or the initial
 * value). Every operation must have completed; a history with an operation of unknown outcome is
 * not something this checker decides.
 */
final class RegisterLinearizability {
  private RegisterLinearizability() {}

  /**
   * One completed operation.
   *
   * @param call when it was invoked (any monotonic clock, the same for the whole history)
   * @param ret when its answer arrived, at or after {@code call}
   * @param write whether it wrote {@code value} (else it read {@code value}; null is absent)
   */
  record Op(String client, long call, long ret, boolean write, String value) {
    Op {
      if (ret < call) {
        throw new IllegalArgumentException("returned before it was invoked");
      }
    }
  }

  /** Whether {@code history} is linearizable from the register holding {@code initial}. */
  static boolean check(List<Op> history, String initial) {
    List<Op> ops = new ArrayList<>(history);
    ops.sort(Comparator.comparingLong(Op::call));
    return new Search(ops).run(initial);
  }

  private static final class Search {
    private final List<Op> ops;
    private final BitSet done = new BitSet();
    private final Set<State> seen = new HashSet<>();

    /** A configuration already explored: which ops are linearized and the register's value. */
    private record State(BitSet done, String value) {}

    Search(List<Op> ops) {
      this.ops = ops;
    }

    boolean run(String value) {
      if (done.cardinality() == ops.size()) {
        return true;
      }
      if (!seen.add(new State((BitSet) done.clone(), value))) {
        return false;
      }
      long minRet = Long.MAX_VALUE;
      for (int i = done.nextClearBit(0); i < ops.size(); i = done.nextClearBit(i + 1)) {
        minRet = Math.min(minRet, ops.get(i).ret());
      }
      for (int i = done.nextClearBit(0); i < ops.size(); i = done.nextClearBit(i + 1)) {
        Op op = ops.get(i);
        if (op.call() > minRet) {
          // Sorted by call: this op and all later ones were invoked after a pending op returned,
          // so that op must be linearized before them.
          break;
        }
        if (op.write() || Objects.equals(op.value(), value)) {
          done.set(i);
          if (run(op.write() ? op.value() : value)) {
            return true;
          }
          done.clear(i);
        }
      }
      return false;
    }
  }
}
