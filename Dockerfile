# The central manager's image. Build from the repository root:
#   docker build -f Dockerfile -t orchestrator-manager .
# docker-compose.central.yml builds it for you. The SDK can also build an equivalent image without this
# file: dotnet publish Orchestrator.Manager -c Release /t:PublishContainer (the Aspire/azd path).

# ---- build: restore first so the package layer is cached across source edits ----
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# global.json is left out on purpose: it pins this machine's SDK patch; the image brings its own 10.0 SDK.
COPY Directory.Build.props Directory.Packages.props ./
COPY Orchestrator.ServiceDefaults/Orchestrator.ServiceDefaults.csproj Orchestrator.ServiceDefaults/
COPY Orchestrator.Protocol/Orchestrator.Protocol.csproj Orchestrator.Protocol/
COPY Orchestrator.Manager/Orchestrator.Manager.csproj Orchestrator.Manager/
RUN dotnet restore Orchestrator.Manager/Orchestrator.Manager.csproj
COPY Orchestrator.ServiceDefaults/ Orchestrator.ServiceDefaults/
COPY Orchestrator.Protocol/ Orchestrator.Protocol/
COPY Orchestrator.Manager/ Orchestrator.Manager/
RUN dotnet publish Orchestrator.Manager/Orchestrator.Manager.csproj -c Release -o /app \
    --no-restore -p:UseAppHost=false

# ---- final: the ASP.NET Core runtime only ----
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS final
WORKDIR /app
COPY --from=build /app ./
# The base image listens on 8080; the seed's contract is 8000. ASPNETCORE_URLS still overrides it.
ENV ASPNETCORE_HTTP_PORTS=8000
EXPOSE 8000
# Non-root: APP_UID (1654, user "app") is defined by the official .NET images.
USER $APP_UID
# The runtime image has neither curl nor wget, and installing one only for this grows the image and the
# attack surface. Bash (in the Ubuntu-based image) can speak HTTP through /dev/tcp: send one GET /health
# and pass only on "HTTP/1.1 200". /health answers 503 when Redis is unreachable, so this fails then too.
# Orchestrator.Tests/Deployment runs this very command against a real manager.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["bash", "-c", "port=${ASPNETCORE_HTTP_PORTS%%[;,]*}; exec 3<>/dev/tcp/127.0.0.1/${port:-8000} && printf 'GET /health HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q '^HTTP/1.1 200'"]
ENTRYPOINT ["dotnet", "Orchestrator.Manager.dll"]
