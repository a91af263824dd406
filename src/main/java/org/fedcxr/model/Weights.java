package org.fedcxr.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Saves and loads a block's weights as safetensors under torchvision's names, so a model trained here loads in
 * PyTorch ({@code load_state_dict(strict=True)}: {@code num_batches_tracked} is written for every BatchNorm) and a
 * torchvision model with a 1-channel {@code conv1} loads here. A file with a missing, extra or wrongly shaped tensor
 * is an error that names the tensor.
 */
public final class Weights {
  /** Metadata key naming the architecture. */
  public static final String ARCHITECTURE = "architecture";
  /** Metadata of a trained classifier: its label names, comma-separated, in output order. */
  public static final String LABELS = "labels";
  /** Metadata of a trained classifier: the side length of the images it was trained on. */
  public static final String IMAGE_SIZE = "image_size";

  private Weights() {
  }

  public static void save(Block block, String architecture, Map<String, String> provenance, OutputStream out)
      throws IOException {
    Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
    for (Map.Entry<String, Parameter> e : StateDict.of(block).entrySet()) {
      NDArray a = e.getValue().getArray();
      tensors.put(e.getKey(), SafeTensors.Tensor.f32(a.getShape().getShape(), a.toFloatArray()));
    }
    for (String bn : StateDict.batchNormLayers(block)) {
      tensors.put(bn + ".num_batches_tracked", SafeTensors.Tensor.i64(new long[0], new long[] {0}));
    }
    Map<String, String> metadata = new LinkedHashMap<>(provenance);
    metadata.put(ARCHITECTURE, architecture);
    metadata.put("format", "pt");
    SafeTensors.write(out, tensors, metadata);
  }

  /**
   * Loads every parameter of the block from the file; {@code num_batches_tracked} entries are accepted and ignored.
   * Returns the file's metadata.
   */
  public static Map<String, String> load(Block block, InputStream in) throws IOException {
    SafeTensors.Content content = SafeTensors.read(in);
    Map<String, Parameter> params = StateDict.of(block);
    for (String name : content.tensors().keySet()) {
      if (!params.containsKey(name) && !name.endsWith(".num_batches_tracked")) {
        throw new IllegalArgumentException("tensor '" + name + "' in the file is not a parameter of the model");
      }
    }
    for (Map.Entry<String, Parameter> e : params.entrySet()) {
      SafeTensors.Tensor t = content.tensors().get(e.getKey());
      if (t == null) {
        throw new IllegalArgumentException("tensor '" + e.getKey() + "' is missing from the file");
      }
      NDArray a = e.getValue().getArray();
      if (!Arrays.equals(t.shape(), a.getShape().getShape())) {
        throw new IllegalArgumentException("tensor '" + e.getKey() + "' has shape " + Arrays.toString(t.shape())
            + " in the file, the model needs " + a.getShape());
      }
      a.set(FloatBuffer.wrap(t.floats()));
    }
    return content.metadata();
  }
}
