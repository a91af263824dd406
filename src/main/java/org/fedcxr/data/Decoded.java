package org.fedcxr.data;

/** The outcome of decoding one file: an image, or the reason it was rejected and a detail for people. */
public record Decoded(GrayImage image, Reason reason, String detail) {
  static Decoded ok(GrayImage image) {
    return new Decoded(image, null, null);
  }

  static Decoded rejected(Reason reason, String detail) {
    return new Decoded(null, reason, detail);
  }

  public boolean isOk() {
    return image != null;
  }
}
