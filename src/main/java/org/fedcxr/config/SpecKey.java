package org.fedcxr.config;

import java.util.List;
import java.util.Objects;

/**
 * One typed key of a job spec: its dotted name, type, default (null when required), and what values it allows.
 * {@link #check} turns a raw YAML value into the typed value or throws a {@link SpecException} that names the
 * source, the key, the value and what is allowed.
 */
public record SpecKey(String name, Type type, Object defaultValue, boolean required, double min, double max,
    List<String> choices, String doc) {

  /** The value types a spec key can have. */
  public enum Type { STRING, INT, LONG, DOUBLE, BOOLEAN, CHOICE }

  public SpecKey {
    Objects.requireNonNull(name);
    Objects.requireNonNull(type);
    choices = choices == null ? List.of() : List.copyOf(choices);
  }

  public static SpecKey string(String name, String defaultValue, String doc) {
    return new SpecKey(name, Type.STRING, defaultValue, defaultValue == null, 0, 0, null, doc);
  }

  /** A string key that may be left out (its value is then null and the job uses another source, e.g. the catalog). */
  public static SpecKey optionalString(String name, String doc) {
    return new SpecKey(name, Type.STRING, null, false, 0, 0, null, doc);
  }

  public static SpecKey optionalChoice(String name, List<String> choices, String doc) {
    return new SpecKey(name, Type.CHOICE, null, false, 0, 0, choices, doc);
  }

  public static SpecKey integer(String name, Integer defaultValue, int min, int max, String doc) {
    return new SpecKey(name, Type.INT, defaultValue, defaultValue == null, min, max, null, doc);
  }

  public static SpecKey longValue(String name, Long defaultValue, String doc) {
    return new SpecKey(name, Type.LONG, defaultValue, defaultValue == null, Long.MIN_VALUE, Long.MAX_VALUE, null,
        doc);
  }

  public static SpecKey number(String name, Double defaultValue, double min, double max, String doc) {
    return new SpecKey(name, Type.DOUBLE, defaultValue, defaultValue == null, min, max, null, doc);
  }

  public static SpecKey bool(String name, boolean defaultValue, String doc) {
    return new SpecKey(name, Type.BOOLEAN, defaultValue, false, 0, 0, null, doc);
  }

  public static SpecKey choice(String name, String defaultValue, List<String> choices, String doc) {
    return new SpecKey(name, Type.CHOICE, defaultValue, defaultValue == null, 0, 0, choices, doc);
  }

  /** The same key under another name and default (for jobs that forward another job's keys). */
  public SpecKey renamed(String newName, Object newDefault) {
    return new SpecKey(newName, type, newDefault, required && newDefault == null, min, max, choices, doc);
  }

  /** What this key allows, in words, for error messages and the spec reference. */
  public String allowed() {
    return switch (type) {
      case STRING -> "a non-empty string";
      case INT -> "an integer in [" + (long) min + ", " + (long) max + "]";
      case LONG -> "an integer";
      case DOUBLE -> "a number in [" + min + ", " + max + "]";
      case BOOLEAN -> "true or false";
      case CHOICE -> "one of " + String.join(", ", choices);
    };
  }

  /** Converts a raw value (from YAML, or a string from {@code --set}) to this key's type, or explains why not. */
  public Object check(Object raw, String source) {
    Object value = switch (type) {
      case STRING -> raw instanceof String s && !s.isBlank() ? s : raw instanceof Number n ? String.valueOf(n) : null;
      case CHOICE -> raw instanceof String s && choices.contains(s) ? s : null;
      case BOOLEAN -> raw instanceof Boolean b ? b
          : raw instanceof String s && (s.equals("true") || s.equals("false")) ? Boolean.valueOf(s) : null;
      case INT, LONG -> integral(raw);
      case DOUBLE -> raw instanceof Number n && !(raw instanceof Float f && f.isNaN()) ? n.doubleValue()
          : raw instanceof String s ? parseDouble(s) : null;
    };
    if (value instanceof Long l && type == Type.INT) {
      value = l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE ? (Object) l.intValue() : null;
    }
    if (value instanceof Number n && (type == Type.INT || type == Type.DOUBLE)) {
      double d = n.doubleValue();
      if (Double.isNaN(d) || d < min || d > max) {
        value = null;
      }
    }
    if (value == null) {
      throw new SpecException(source + ": key '" + name + "' has value '" + raw + "', but it must be " + allowed()
          + (doc == null ? "" : " (" + doc + ")"));
    }
    return value;
  }

  private static Long integral(Object raw) {
    if (raw instanceof Integer || raw instanceof Long || raw instanceof Short) {
      return ((Number) raw).longValue();
    }
    if (raw instanceof String s) {
      try {
        return Long.parseLong(s.trim());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  private static Double parseDouble(String s) {
    try {
      return Double.parseDouble(s.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
