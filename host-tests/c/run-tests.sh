#!/bin/sh
# Runs the C test steps and prints "N passed, N failed" (sum of all steps) last.
# Called by `make -C host-tests/c test`; env: OUT, CLANG, MAKE, SECONDS_, ROOT.
P=0; F=0
step() { # name, command...; the command's own "N passed, N failed" line is added
  name=$1; shift
  out=$("$@" 2>&1); rc=$?
  if [ $rc -ne 0 ]; then printf '%s\n' "$out" | tail -40; else
    printf '%s\n' "$out" | grep -E '^(FAIL|  )|Done [0-9]+ runs|M/s' ; fi
  line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -1)
  if [ -n "$line" ]; then
    p=${line%% passed*}; f=${line#*passed, }; f=${f%% failed*}
  elif [ $rc -eq 0 ]; then p=1; f=0; else p=0; f=1; fi
  [ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
  echo "[$name] $p passed, $f failed"
  P=$((P + p)); F=$((F + f))
}
step unit "$OUT/test_bridge"
step capture "$OUT/test_capture"
step capture-tsan "$OUT/test_capture_tsan"
step udp-port "$OUT/test_udp_port"
step mirror "$OUT/test_mirror"
step json "$OUT/test_json"
# The xsmc bindings against the real XS headers (@agoric/xsnap), -Werror.
step xs-binding $MAKE -s xs-binding-check
if [ -n "$CLANG" ]; then
  step fuzz $MAKE -s fuzz FUZZ_SECONDS="$SECONDS_"
else
  echo "[fuzz] SKIPPED - clang not found (apt-get install clang libclang-rt-14-dev)"
fi
if [ -f "$ROOT/build/Release/ohx_can.node" ]; then
  step node-binding node "$ROOT/host-tests/c/node_binding_smoke.cjs"
else
  echo "[node-binding] SKIPPED - build/Release/ohx_can.node not built (make -C host-tests/c node-binding)"
fi
echo "$P passed, $F failed"
[ "$F" -eq 0 ]
