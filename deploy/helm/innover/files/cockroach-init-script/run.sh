for attempt in {1..30}; do
  out=$(/cockroach/cockroach init --insecure --host=cockroach1:26257 2>&1) && { echo "$out"; exit 0; }
  case "$out" in *"already been initialized"*) echo 'cluster already initialized'; exit 0;; esac
  sleep 2
done
echo "$out" >&2; exit 1
