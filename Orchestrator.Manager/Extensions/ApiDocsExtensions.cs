using Scalar.AspNetCore;

namespace Orchestrator.Manager.Extensions;

public static class ApiDocsExtensions
{
    // /openapi/v1.json in every environment (clients generate from it); the Scalar browser in Development.
    public static WebApplication MapApiDocs(this WebApplication app)
    {
        app.MapOpenApi();
        if (app.Environment.IsDevelopment()) app.MapScalarApiReference();
        return app;
    }
}
