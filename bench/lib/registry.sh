# A docker-registry with fresh storage for one round (source after lib.sh): registry_start ENTRY
# runs the bench bundle ENTRY's `registry` command (the test harness's startRegistry), which owns
# docker-registry and its storage; sets REG_PID (that Node process) and REG_HOST. registry_stop
# stops it by PID (it stops docker-registry by PID and removes the storage).
REG_PID='' REG_HOST=''
[[ -x /usr/bin/docker-registry ]] || scripts/install-services.sh
registry_start() {
  local info=$DATA/registry.$$.json log=$OUT/logs/registry.log
  rm -f "$info"
  "$NODE" "$1" registry "$info" >>"$log" 2>&1 &
  REG_PID=$!
  wait_for_file "$info" $REG_PID "$log"
  REG_HOST=$(sed -E 's/.*"host":"([^"]+)".*/\1/' "$info")
  rm -f "$info"
}
registry_stop() {
  stop_pid "$REG_PID"
  REG_PID=''
}
trap registry_stop EXIT
