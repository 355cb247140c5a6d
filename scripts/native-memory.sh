# Sourced by ./fovea and bench/lib.sh: how libtorch's memory is handed out in every Fovea JVM (and the trial and
# worker JVMs it starts, which inherit the environment).
#
# libtorch allocates each step's activations and gradients with malloc and frees them at the end of the step. glibc
# serves blocks of a few megabytes with mmap and unmaps them on free (its adaptive threshold never rises above a
# size that was just unmapped), so every step faults its memory in again, page by page, zeroed by the kernel:
# about 60,000 page faults a second and an eighth of the CPU time in the kernel while training the small CNN on 2
# cores. Serving blocks up to 32 MB from the heap and keeping freed memory there for the next step gave 12-23% more
# images/s at 28 px and 6% at 64 px (bench/README.md, "native memory"). The process keeps its peak step's memory.
#
# A GLIBC_TUNABLES the user set wins; FOVEA_MALLOC_TUNING=0 leaves glibc's defaults.
fovea_native_memory() {
  [ "${FOVEA_MALLOC_TUNING:-1}" = "0" ] && return 0
  case "${GLIBC_TUNABLES:-}" in
    *glibc.malloc.mmap_threshold*|*glibc.malloc.trim_threshold*) return 0 ;;
  esac
  local ours="glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824"
  export GLIBC_TUNABLES="${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}$ours"
}
