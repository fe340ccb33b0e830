# The sample app's entrypoint (run by busybox sh): serve /www with busybox httpd on port 8080.
# HELLO_CONFIG names a configuration file the app needs; the failure demo (npm run demo -- --fail) builds an
# image that sets it to a file the image does not have, so the container exits at start like a broken release.
echo "hello: starting"
if [ -n "$HELLO_CONFIG" ]; then
  echo "hello: reading configuration from $HELLO_CONFIG"
  if [ ! -f "$HELLO_CONFIG" ]; then
    echo "hello: error: $HELLO_CONFIG does not exist"
    echo "hello: exiting with status 78 (configuration error)"
    exit 78
  fi
fi
echo "hello: serving /www on port 8080"
exec /bin/busybox httpd -f -v -p 8080 -h /www
