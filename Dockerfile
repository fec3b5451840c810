# Kiln: one jar, one dependency (PostgreSQL). Build: docker build -t kiln .
# Run:   docker run -e DATABASE_URL=postgresql://… -e KILN_ENV=production -e KILN_JWT_SECRET=… -p 8080:8080 kiln

# The web UI and console, with a Node that Vite 7 accepts.
FROM node:20-bookworm-slim AS web
WORKDIR /web
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci
COPY frontend/ ./
RUN node_modules/.bin/vite build --outDir /out --emptyOutDir

FROM eclipse-temurin:21-jdk AS build
WORKDIR /src
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
RUN ./mvnw -q -B dependency:go-offline -Dfrontend.skip=true
COPY src/ src/
COPY --from=web /out target/classes/webroot
RUN ./mvnw -q -B -DskipTests -Dfrontend.skip=true package

FROM eclipse-temurin:21-jre
RUN useradd --system --uid 10001 --home /app kiln
WORKDIR /app
COPY --from=build /src/target/kiln.jar /app/kiln.jar
COPY conf/ /app/conf/
COPY migrations/ /app/migrations/
USER 10001
ENV KILN_ENV=production PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD ["sh", "-c", "exec 3<>/dev/tcp/127.0.0.1/${PORT} && printf 'GET /_api/health HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q healthy <&3"]
# exec form: the JVM is PID 1 and receives SIGTERM directly, so it drains and exits 0
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/kiln.jar"]
CMD ["serve", "--config", "conf/production.toml"]
