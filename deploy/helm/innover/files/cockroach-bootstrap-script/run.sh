for attempt in {1..60}; do
  /cockroach/cockroach sql --insecure --host=cockroach1:26257 -e 'SELECT 1' >/dev/null 2>&1 && break
  sleep 2
done
if [ -n "${COCKROACH_LICENSE:-}" ]; then
  quote="'"
  out=$(printf 'SET CLUSTER SETTING enterprise.license = %s;\n' "$quote${COCKROACH_LICENSE//$quote/$quote$quote}$quote" | /cockroach/cockroach sql --insecure --host=cockroach1:26257 2>&1) || {
    echo "COCKROACH_LICENSE was refused: ${out//"$COCKROACH_LICENSE"/<COCKROACH_LICENSE>}: fix it in .env or empty it" >&2
    exit 1
  }
  echo 'enterprise.license set from COCKROACH_LICENSE'
fi
for attempt in {1..30}; do
  /cockroach/cockroach sql --insecure --host=cockroach1:26257 --file=/innover/bootstrap.sql && exit 0
  sleep 2
done
exit 1
