package dev.tidemark.managed;

import dev.tidemark.errors.DynamoException;
import dev.tidemark.errors.WireError;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAdjusters;
import java.util.BitSet;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * AWS's six-field cron, {@code cron(Minutes Hours Day-of-month Month Day-of-week Year)}, evaluated
 * in a time zone: minutes and hours take {@code , - * /}; day-of-month also {@code ? L W}; month
 * 1-12 or JAN-DEC; day-of-week 1-7 (1 is Sunday) or SUN-SAT, also {@code ? L #}; year 1970-2199.
 * Exactly one of day-of-month and day-of-week is {@code ?}. A wall-clock time that a daylight
 * saving change skips runs at the first instant after the gap; one it repeats runs once, at the
 * earlier instant.
 */
public final class Cron {
  private static final Pattern WRAPPED = Pattern.compile("cron\\((.*)\\)");
  private static final String[] MONTHS = {
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"
  };
  private static final String[] DAYS = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

  private final String expression;
  private final BitSet minutes;
  private final BitSet hours;
  private final BitSet months;
  private final BitSet years;
  // Day of month: a set, or L (last day), or nW (nearest weekday), or LW; null when '?'.
  private final BitSet daysOfMonth;
  private final boolean lastDayOfMonth;
  private final int nearestWeekday;
  // Day of week (1 = Sunday): a set, or nL (last such day), or n#k (k-th such day); null when '?'.
  private final BitSet daysOfWeek;
  private final int lastWeekday;
  private final int nthWeekday;
  private final int nth;

  private Cron(String expression, String[] f) {
    this.expression = expression;
    minutes = field(f[0], 0, 59, null);
    hours = field(f[1], 0, 23, null);
    months = field(f[3], 1, 12, MONTHS);
    years = field(f[5], 1970, 2199, null);
    String dom = f[2];
    String dow = f[4].toUpperCase(Locale.ROOT);
    if (dom.equals("?") == dow.equals("?")) {
      throw invalid(expression);
    }
    boolean last = false;
    int weekday = 0;
    BitSet domSet = null;
    if (!dom.equals("?")) {
      if (dom.equals("L")) {
        last = true;
      } else if (dom.equals("LW")) {
        last = true;
        weekday = -1;
      } else if (dom.endsWith("W")) {
        weekday = number(dom.substring(0, dom.length() - 1), 1, 31);
      } else {
        domSet = field(dom, 1, 31, null);
      }
    }
    lastDayOfMonth = last;
    nearestWeekday = weekday;
    daysOfMonth = domSet;
    int lastDow = 0;
    int nthDow = 0;
    int n = 0;
    BitSet dowSet = null;
    if (!dow.equals("?")) {
      if (dow.equals("L")) {
        dowSet = new BitSet();
        dowSet.set(7);
      } else if (dow.endsWith("L")) {
        lastDow = day(dow.substring(0, dow.length() - 1));
      } else if (dow.contains("#")) {
        String[] p = dow.split("#", -1);
        nthDow = day(p[0]);
        n = number(p[1], 1, 5);
      } else {
        dowSet = field(dow, 1, 7, DAYS);
      }
    }
    daysOfWeek = dowSet;
    lastWeekday = lastDow;
    nthWeekday = nthDow;
    nth = n;
  }

  /** Parses {@code cron(...)}; refuses anything else with InvalidParameterValueException. */
  public static Cron parse(String expression) {
    if (expression == null) {
      throw invalid(null);
    }
    Matcher m = WRAPPED.matcher(expression.trim());
    if (!m.matches()) {
      throw invalid(expression);
    }
    String[] f = m.group(1).trim().split("\\s+");
    if (f.length != 6) {
      throw invalid(expression);
    }
    try {
      return new Cron(expression, f);
    } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
      throw invalid(expression);
    }
  }

  public String expression() {
    return expression;
  }

  /** Whether the expression fires in more than one minute of an hour. */
  public boolean moreThanHourly() {
    return minutes.cardinality() > 1;
  }

  /** The first run strictly after {@code after}, or null when none is left (past 2199). */
  public Long next(long after, ZoneId zone) {
    ZonedDateTime from = Instant.ofEpochMilli(after).atZone(zone);
    LocalDate day = from.toLocalDate();
    LocalDate end = LocalDate.of(2200, 1, 1);
    while (day.isBefore(end)) {
      if (!years.get(day.getYear())) {
        day = LocalDate.of(day.getYear() + 1, 1, 1);
        continue;
      }
      if (!months.get(day.getMonthValue())) {
        day = day.withDayOfMonth(1).plusMonths(1);
        continue;
      }
      if (dayMatches(day)) {
        for (int h = hours.nextSetBit(0); h >= 0; h = hours.nextSetBit(h + 1)) {
          for (int mi = minutes.nextSetBit(0); mi >= 0; mi = minutes.nextSetBit(mi + 1)) {
            long t =
                ZonedDateTime.ofLocal(day.atTime(h, mi), zone, null).toInstant().toEpochMilli();
            // A skipped local time maps forward past the gap; one the zone repeats maps to the
            // earlier offset, so each wall-clock run happens once.
            if (t > after) {
              return t;
            }
          }
        }
      }
      day = day.plusDays(1);
    }
    return null;
  }

  private boolean dayMatches(LocalDate d) {
    if (daysOfWeek == null && lastWeekday == 0 && nthWeekday == 0) {
      if (lastDayOfMonth && nearestWeekday == -1) {
        return d.equals(weekdayNear(d.with(TemporalAdjusters.lastDayOfMonth())));
      }
      if (lastDayOfMonth) {
        return d.getDayOfMonth() == d.lengthOfMonth();
      }
      if (nearestWeekday > 0) {
        if (nearestWeekday > d.lengthOfMonth()) {
          return false;
        }
        return d.equals(weekdayNear(d.withDayOfMonth(nearestWeekday)));
      }
      return daysOfMonth.get(d.getDayOfMonth());
    }
    int dow = d.getDayOfWeek().getValue() % 7 + 1;
    if (daysOfWeek != null) {
      return daysOfWeek.get(dow);
    }
    if (lastWeekday > 0) {
      return dow == lastWeekday && d.plusWeeks(1).getMonthValue() != d.getMonthValue();
    }
    return dow == nthWeekday && (d.getDayOfMonth() - 1) / 7 + 1 == nth;
  }

  /** The weekday nearest to {@code d} within its month (cron's W). */
  private static LocalDate weekdayNear(LocalDate d) {
    DayOfWeek w = d.getDayOfWeek();
    if (w == DayOfWeek.SATURDAY) {
      return d.getDayOfMonth() == 1 ? d.plusDays(2) : d.minusDays(1);
    }
    if (w == DayOfWeek.SUNDAY) {
      return d.getDayOfMonth() == d.lengthOfMonth() ? d.minusDays(2) : d.plusDays(1);
    }
    return d;
  }

  private BitSet field(String spec, int min, int max, String[] names) {
    BitSet set = new BitSet();
    for (String part : spec.split(",", -1)) {
      int step = 1;
      String range = part;
      int slash = part.indexOf('/');
      if (slash >= 0) {
        step = number(part.substring(slash + 1), 1, max);
        range = part.substring(0, slash);
      }
      int lo;
      int hi;
      if (range.equals("*")) {
        lo = min;
        hi = max;
      } else if (range.contains("-")) {
        String[] p = range.split("-", -1);
        lo = value(p[0], min, max, names);
        hi = value(p[1], min, max, names);
      } else {
        lo = value(range, min, max, names);
        hi = slash >= 0 ? max : lo;
      }
      if (lo > hi) {
        throw invalid(expression);
      }
      for (int v = lo; v <= hi; v += step) {
        set.set(v);
      }
    }
    return set;
  }

  private int value(String s, int min, int max, String[] names) {
    if (names != null) {
      for (int i = 0; i < names.length; i++) {
        if (names[i].equalsIgnoreCase(s)) {
          return i + 1;
        }
      }
    }
    return number(s, min, max);
  }

  private int day(String s) {
    return value(s, 1, 7, DAYS);
  }

  private int number(String s, int min, int max) {
    int v = Integer.parseInt(s);
    if (v < min || v > max) {
      throw invalid(expression);
    }
    return v;
  }

  private static DynamoException invalid(String expression) {
    return new DynamoException(
        WireError.INVALID_PARAMETER_VALUE, "Invalid schedule expression: " + expression);
  }
}
