# Shared by the scripts in this folder: where the Python 3.14 environment lives and how to
# run a command inside it. Sourced, never run.
#
# Two ways to get Python >= 3.14.2:
#   host    a suitable python3.14/python3 is on PATH: a plain virtualenv in .venv
#   chroot  a Debian/Ubuntu host with root but no such Python: a minimal Debian testing tree
#           in .cache/rootfs (debootstrap), a virtualenv at /venv inside it, and this
#           checkout bind-mounted at the same absolute path, so paths read the same inside.

set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$REPO/.cache"
ROOTFS="$CACHE/rootfs"
REQUIREMENTS="$REPO/requirements_test.txt"
MIN_PYTHON="3.14.2"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# A python on PATH that is new enough, or nothing.
host_python() {
    local candidate
    for candidate in python3.14 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c "import sys; sys.exit(sys.version_info < (${MIN_PYTHON//./, }))" 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

# Which way this checkout runs: "host" or "chroot" (decided once, remembered).
env_kind() {
    if [[ -x "$REPO/.venv/bin/python" ]]; then
        echo host
    elif [[ -d "$ROOTFS/venv" ]]; then
        echo chroot
    elif host_python >/dev/null; then
        echo host
    else
        echo chroot
    fi
}

# Copy what the chroot needs from the host afresh: name resolution and the registry's CA
# bundle may change between runs.
refresh_rootfs_files() {
    cp -L /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
    if [[ -f /etc/ssl/certs/ca-certificates.crt ]]; then
        cp -L /etc/ssl/certs/ca-certificates.crt "$ROOTFS/etc/ssl/certs/ca-certificates.crt"
    fi
    mkdir -p "$ROOTFS$REPO"
}

# Run "$@" chrooted into the tree, inside a private mount namespace: /proc, /dev and the
# checkout are mounted there and vanish with the command, so nothing stays mounted that a
# later `rm -rf` of the checkout could walk into.
chroot_run() {
    refresh_rootfs_files
    unshare --mount --propagation private -- /bin/bash -c '
        set -e
        root="$1" repo="$2"; shift 2
        mount -t proc proc "$root/proc"
        mount --rbind /dev "$root/dev"
        mount --bind "$repo" "$root$repo"
        exec chroot "$root" "$@"' chroot_run "$ROOTFS" "$REPO" "$@"
}

# Run a command with the project's virtualenv first on PATH, in the repo folder.
# Environment variables named in PASS_ENV (space separated) are carried into the chroot.
in_env() {
    if [[ "$(env_kind)" == host ]]; then
        (cd "$REPO" && PATH="$REPO/.venv/bin:$PATH" VIRTUAL_ENV="$REPO/.venv" "$@")
        return
    fi
    local -a vars=("HOME=/root" "LANG=C.UTF-8" "PATH=/venv/bin:/usr/local/bin:/usr/bin:/bin"
        "VIRTUAL_ENV=/venv" "TERM=${TERM:-dumb}")
    local name
    for name in ${PASS_ENV:-} CI PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_DEFAULT_TIMEOUT \
        PIP_DISABLE_PIP_VERSION_CHECK PIP_CERT HTTP_PROXY HTTPS_PROXY NO_PROXY \
        http_proxy https_proxy no_proxy; do
        if [[ -n "${!name:-}" ]]; then vars+=("$name=${!name}"); fi
    done
    chroot_run /usr/bin/env -i "${vars[@]}" /bin/sh -c 'cd "$0" && exec "$@"' "$REPO" "$@"
}

# What scripts/develop (and the bench and the browser test) add to the test environment:
# the frontend and what Home Assistant loads at start. Installed once per change of the file.
install_dev_requirements() {
    local stamp="$CACHE/requirements_dev.sha256" wanted
    wanted="$(sha256sum "$REPO/requirements_dev.txt" | cut -d' ' -f1)"
    if [[ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]]; then
        log "Installing requirements_dev.txt (the Home Assistant frontend)"
        in_env python -m pip install --quiet -r requirements_dev.txt
        echo "$wanted" >"$stamp"
    fi
}

# Debian packages a running Home Assistant looks for at every start, whatever its
# configuration (scripts/develop, scripts/browser-test): its default integrations tts and
# camera load ffmpeg (which runs `ffmpeg -version`) and libturbojpeg, and without them its
# log starts with two tracebacks. Installed once into the environment (the chroot, or this
# Debian host as root): about 240 MB, an 80 MB download, about 10 s.
DEMO_SYSTEM_PACKAGES=(ffmpeg libturbojpeg0)
install_demo_system_packages() {
    local -a apt=(env PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive)
    local -a missing=()
    local installed package
    installed="$(in_env "${apt[@]}" dpkg-query -W -f='${Package} ${Status}\n' \
        "${DEMO_SYSTEM_PACKAGES[@]}" 2>/dev/null || true)"
    for package in "${DEMO_SYSTEM_PACKAGES[@]}"; do
        grep -qx "$package install ok installed" <<<"$installed" || missing+=("$package")
    done
    ((${#missing[@]})) || return 0
    if [[ $EUID -ne 0 ]] || ! in_env "${apt[@]}" sh -c 'command -v apt-get' >/dev/null; then
        log "Missing ${missing[*]} (apt-get install ${missing[*]}): Home Assistant will log tracebacks at start"
        return 0
    fi
    log "Installing ${missing[*]} for Home Assistant's default integrations (once)"
    # debootstrap's package lists may have gone stale: refresh them if the install fails.
    if ! in_env "${apt[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" \
        >"$CACHE/apt.log" 2>&1; then
        in_env "${apt[@]}" apt-get update -qq >>"$CACHE/apt.log" 2>&1 || true
        if ! in_env "${apt[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" \
            >>"$CACHE/apt.log" 2>&1; then
            log "Could not install ${missing[*]} (.cache/apt.log): Home Assistant will log tracebacks at start"
            return 0
        fi
    fi
    in_env "${apt[@]}" apt-get clean
}
