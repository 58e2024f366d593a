# samsa-env.sh: sourced by the bin/ scripts to find samsa's programs.
#
# Kafka's scripts find their jars relative to the script; samsa's find
# compiled programs.  Search order:
#   1. $SAMSA_BUILD_DIR (a build tree: programs in src/ and src/tools/)
#   2. the build trees bin/samsa-dev makes: build/release, build/ci
#   3. an in-tree build (./configure && make in the checkout)
#   4. an installed layout: <prefix>/libexec/samsa, then $PATH
# samsa_prog NAME prints the path of program NAME or fails with a message
# saying how to build it.

samsa_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

samsa_prog() {
    local name=$1 d
    for d in ${SAMSA_BUILD_DIR:+"$SAMSA_BUILD_DIR"} \
             "$samsa_top/build/release" "$samsa_top/build/ci" "$samsa_top"; do
        for sub in src src/tools; do
            if [ -x "$d/$sub/$name" ]; then
                printf '%s\n' "$d/$sub/$name"
                return 0
            fi
        done
    done
    if [ -x "$samsa_top/libexec/samsa/$name" ]; then
        printf '%s\n' "$samsa_top/libexec/samsa/$name"
        return 0
    fi
    if command -v "$name" >/dev/null 2>&1; then
        command -v "$name"
        return 0
    fi
    echo "samsa: program '$name' not found; build samsa first (bin/samsa-dev quickstart, or ./configure && make)" >&2
    return 127
}
