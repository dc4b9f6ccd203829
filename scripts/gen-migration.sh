#!/usr/bin/env bash
# Generates a migration from the entities against a scratch database migrated to the current head.
# Usage: scripts/gen-migration.sh <PascalName>   (needs a PostgreSQL at SCRATCH_PG, default the local server)
set -euo pipefail
name=${1:?usage: scripts/gen-migration.sh PascalName}
base=${SCRATCH_PG:-postgres://postgres@127.0.0.1:5432}
db="ledger_scratch_$$"
psql "$base/postgres" -qc "CREATE DATABASE $db" >/dev/null
trap 'psql "$base/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null' EXIT
npx nest build >/dev/null
DATABASE_URL="$base/$db" npx typeorm migration:run -d dist/src/core/database/cli-data-source.js >/dev/null
DATABASE_URL="$base/$db" npx typeorm migration:generate -d dist/src/core/database/cli-data-source.js "migrations/$name"
npx prettier --write migrations/*-"$name".ts >/dev/null
echo "now add the new class to src/core/database/migrations.ts"
