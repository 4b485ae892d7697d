using Orchestrator.Manager.Problems;

namespace Orchestrator.Manager.Extensions;

public static class BadInputExtensions
{
    // Problem details for every error, and binding failures thrown (not answered with an empty 400)
    // so BadRequestExceptionHandler can name the field in every environment.
    public static WebApplicationBuilder AddBadInputHandling(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return builder;
    }
}
