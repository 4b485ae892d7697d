using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Orchestrator.Manager.Options;

namespace Orchestrator.Manager.Problems;

// Bodies over Manager:MaxRequestBodySize get 413: at once when Content-Length says so, else when
// Kestrel stops the read (its BadHttpRequestException goes through BadRequestExceptionHandler).
public static class BodySizeLimit
{
    public static IApplicationBuilder UseBodySizeLimit(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var limit = context.RequestServices.GetRequiredService<IOptions<ManagerOptions>>().Value.MaxRequestBodySize;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            feature.MaxRequestBodySize = limit;
        if (context.Request.ContentLength > limit)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            await context.RequestServices.GetRequiredService<IProblemDetailsService>()
                .WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = TooLarge(limit) });
            return;
        }
        await next(context);
    });

    public static ProblemDetails TooLarge(long? limit = null) => new()
    {
        Status = ProblemTypes.BodyTooLarge.Status,
        Title = ProblemTypes.BodyTooLarge.Title,
        Detail = limit is null ? "The request body exceeds the size limit." : $"The request body exceeds {limit} bytes.",
        Extensions = { ["field"] = "body" },
    };
}
