package org.fedcxr.data;

/** Why an input went to the quarantine table; {@link #code()} is the stable value written there. */
public enum Reason {
  EMPTY("empty"),
  NOT_AN_IMAGE("not_an_image"),
  UNSUPPORTED_FORMAT("unsupported_format"),
  TRUNCATED("truncated"),
  CORRUPT("corrupt"),
  TOO_SMALL("too_small"),
  TOO_LARGE("too_large"),
  NO_LABEL_ROW("no_label_row"),
  UNKNOWN_LABEL("unknown_label"),
  BAD_LABEL_ROW("bad_label_row"),
  SPLIT_CONFLICT("split_conflict");

  private final String code;

  Reason(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }
}
