# Sourced by bin/check-torch2. Debian 12 ships LibTorch 1.13 only; the code paths that only a
# LibTorch 2.x / CUDA build compiles are checked against the headers of Debian trixie's
# libtorch-cuda-dev (LibTorch 2.6, a CUDA build). The package is downloaded and unpacked into a
# folder, never installed: trixie packages must not be installed on a Debian 12 system.

# fidelio_fetch_torch2_headers DIR: DIR/usr/include holds ATen/, c10/, torch/ afterwards.
fidelio_fetch_torch2_headers() {
  local dir="$1" work
  mkdir -p "$dir"
  work="$(mktemp -d)"
  mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
  echo "deb http://deb.debian.org/debian trixie main contrib" > "$work/sources.list"
  local apt_options=(-o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
                     -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o APT::Sandbox::User=root)
  echo "fidelio: fetching LibTorch 2.x headers (trixie's libtorch-cuda-dev, unpacked into $dir) ..." >&2
  if apt-get "${apt_options[@]}" -qq update >&2 &&
      (cd "$work" && apt-get "${apt_options[@]}" -qq download libtorch-cuda-dev >&2) &&
      dpkg -x "$work"/libtorch-cuda-dev_*.deb "$dir.partial"; then
    rm -rf "$dir" && mv "$dir.partial" "$dir"
    rm -rf "$work"
  else
    rm -rf "$work" "$dir.partial"
    echo "fidelio: could not download libtorch-cuda-dev from deb.debian.org (trixie); the LibTorch 2.x" \
         "compile check needs it once (it is kept in $dir)" >&2
    return 1
  fi
}
