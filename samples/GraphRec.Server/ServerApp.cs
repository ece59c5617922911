using GraphRec.Hosting;
using Microsoft.Extensions.Options;

namespace GraphRec.Server;

/// <summary>Builds and runs the server: the served model, the endpoints, problem details, health and OpenAPI.</summary>
internal static class ServerApp
{
    /// <summary>Builds the application; <paramref name="configure"/> adjusts the builder (the load benchmark sets the URL and logging).</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Configuration.AddCommandLine(args, new Dictionary<string, string> { ["--model"] = "GraphRec:ModelPath" });
        builder.Services.AddGraphRecRecommender(builder.Configuration.GetSection("GraphRec"));
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        builder.Services.AddHealthChecks().AddCheck<ServedModelHealthCheck>("model");
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapOpenApi();
        app.MapHealthChecks("/health");
        app.MapRecommendations();
        return app;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            await using var app = Build(args);

            // The host validates the options and loads the model on start too, but logs a failure with its stack trace
            // first: load here, and say one line.
            _ = app.Services.GetRequiredService<ServedModel>();
            await app.RunAsync().ConfigureAwait(false);
            return 0;
        }
        catch (OptionsValidationException error)
        {
            // A missing, damaged or forged model file: one line, not the host's stack trace.
            await Console.Error.WriteLineAsync($"error: {string.Join("; ", error.Failures)}").ConfigureAwait(false);
            return 1;
        }
    }
}
