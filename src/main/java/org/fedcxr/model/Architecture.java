package org.fedcxr.model;

import ai.djl.nn.Block;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The encoders fedcxr trains, built to match torchvision's structure and parameter names with a 1-channel input:
 * ResNet-18, ResNet-50, DenseNet-121 (CheXNet's backbone), and a small, fast encoder for demos and tests.
 *
 * @param name the name used in job specs and in weight files
 * @param features the length of the encoder's feature vector
 * @param head the classifier head's name in the state dict ({@code fc} for ResNets, {@code classifier} for DenseNet)
 */
public record Architecture(String name, int features, String head, Supplier<Module> encoder) {
  public static final Architecture RESNET18 = new Architecture("resnet18", 512, "fc", () -> resnet(false, 2, 2, 2, 2));
  public static final Architecture RESNET50 = new Architecture("resnet50", 2048, "fc", () -> resnet(true, 3, 4, 6, 3));
  public static final Architecture DENSENET121 = new Architecture("densenet121", 1024, "classifier",
      DenseNet::encoder121);
  public static final Architecture SMALL = new Architecture("small", 128, "fc", Architecture::small);
  public static final List<Architecture> ALL = List.of(RESNET18, RESNET50, DENSENET121, SMALL);

  /** The architecture with this name, or an error listing the known ones. */
  public static Architecture named(String name) {
    for (Architecture a : ALL) {
      if (a.name.equals(name.toLowerCase(Locale.ROOT))) {
        return a;
      }
    }
    throw new IllegalArgumentException("unknown architecture '" + name + "'; known: "
        + ALL.stream().map(Architecture::name).toList());
  }

  /**
   * A fresh encoder: (N, 1, H, W) images to (N, features). Its last step is the global pooling, so
   * {@link Module#forwardFeatures} gives the spatial feature map.
   */
  public Module newEncoder() {
    return encoder.get();
  }

  private static Module resnet(boolean bottleneck, int... blocks) {
    Module m = new Module().add("conv1", Layers.conv(64, 7, 2, 3)).add("bn1", Layers.bn())
        .op("relu", Layers.RELU).op("maxpool", Layers.MAX_POOL_3_2);
    int in = 64;
    for (int stage = 0; stage < 4; stage++) {
      int width = 64 << stage;
      Module layer = new Module();
      for (int i = 0; i < blocks[stage]; i++) {
        int stride = i == 0 && stage > 0 ? 2 : 1;
        layer.add(Integer.toString(i), bottleneck ? ResidualBlock.bottleneck(in, width, stride)
            : ResidualBlock.basic(in, width, stride));
        in = bottleneck ? width * 4 : width;
      }
      m.add("layer" + (stage + 1), layer);
    }
    return m.op("avgpool", Layers.POOL_FLATTEN);
  }

  /** Four stride-2 3x3 convolutions with BatchNorm (16, 32, 64, 128 channels), then global average pooling. */
  private static Module small() {
    Module m = new Module();
    int channels = 16;
    for (int i = 1; i <= 4; i++) {
      m.add("conv" + i, Layers.conv(channels, 3, 2, 1)).add("bn" + i, Layers.bn()).op("relu" + i, Layers.RELU);
      channels *= 2;
    }
    return m.op("pool", Layers.POOL_FLATTEN);
  }
}
