# syntax=docker/dockerfile:1.7
# One image for every role: `area serve --role=api|worker|scheduler|all` (see charts/area).

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts are not needed: native packages ship prebuilt binaries as optional dependencies.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json tsconfig.sdk.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --ignore-scripts

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    AREA_DATA_DIR=/data \
    PORT=8080
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin/run.js ./bin/run.js
COPY supabase/migrations ./supabase/migrations
# The embedded database (no DATABASE_URL) lives in /data; mount a volume there to keep it.
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8080
ENTRYPOINT ["node", "/app/bin/run.js"]
CMD ["serve", "--role=all"]
