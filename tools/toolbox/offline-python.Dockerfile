# Offline stand-in for python:3.13-slim-bookworm, built by tools/toolbox/build.sh only where no registry is reachable
# (images/README.md: stand-ins under maps-api-offline/, never upstream names). The Debian bookworm stand-in with this
# machine's own CPython >= 3.13 (tools/lib/python.sh finds it) under /usr/local, where the official image keeps it,
# and the runtime libraries it links. Node and pip in builds trust the machine's extra CAs (images/bases/build.sh).
FROM maps-api-offline/debian:bookworm-slim
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends ca-certificates netbase tzdata libssl3 libsqlite3-0 libffi8 \
      libbz2-1.0 liblzma5 libreadline8 libncursesw6 libuuid1 libgdbm6 zlib1g libexpat1 \
 && rm -rf /var/lib/apt/lists/*
COPY python /usr/local
ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/extra-ca.crt PIP_CERT=/etc/ssl/certs/ca-certificates.crt
RUN ldconfig \
 && ln -sf python3.13 /usr/local/bin/python3 && ln -sf python3 /usr/local/bin/python \
 && python3.13 -c 'import ssl, sqlite3, venv, ctypes, zlib, bz2, lzma, sys; print(sys.version, sys.prefix)'
CMD ["python3"]
