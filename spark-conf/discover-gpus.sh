#!/usr/bin/env bash
# Spark GPU discovery script: prints {"name":"gpu","addresses":["0","1",...]} with the CUDA indices of this node's
# GPUs (fedcxr trains task i on cuda:<its first address>). Honors CUDA_VISIBLE_DEVICES when it is set.
set -euo pipefail
if [ -n "${CUDA_VISIBLE_DEVICES:-}" ]; then
  IFS=',' read -r -a ids <<< "$CUDA_VISIBLE_DEVICES"
  count=${#ids[@]}
else
  if ! command -v nvidia-smi > /dev/null; then
    echo "discover-gpus.sh: nvidia-smi not found and CUDA_VISIBLE_DEVICES unset: no GPU on this node" >&2
    exit 1
  fi
  count=$(nvidia-smi --query-gpu=index --format=csv,noheader | grep -c .)
fi
addresses=""
for ((i = 0; i < count; i++)); do
  addresses+="${addresses:+,}\"$i\""
done
echo "{\"name\":\"gpu\",\"addresses\":[$addresses]}"
