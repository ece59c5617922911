using GraphRec.Data;
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
        builder.Configuration.AddCommandLine(args, new Dictionary<string, string>
        {
            ["--model"] = "GraphRec:ModelPath",
            ["--events-provider"] = "GraphRec:Events:Provider",
            ["--events-connection"] = "GraphRec:Events:Connection",
            ["--events-query"] = "GraphRec:Events:Query",
            ["--events-user-column"] = "GraphRec:Events:UserColumn",
            ["--events-item-column"] = "GraphRec:Events:ItemColumn",
            ["--events-rating-column"] = "GraphRec:Events:RatingColumn",
            ["--events-time-column"] = "GraphRec:Events:TimeColumn",
            ["--events-title-column"] = "GraphRec:Events:TitleColumn",
            ["--events-rating-threshold"] = "GraphRec:Events:RatingThreshold",
            ["--retrain-every"] = "GraphRec:Retraining:Interval",
        });
        builder.Services.AddGraphRecRecommender(builder.Configuration.GetSection("GraphRec"));
        var events = builder.Configuration.GetSection("GraphRec:Events").Get<EventsSettings>();
        if (!string.IsNullOrEmpty(events?.Provider))
        {
            // Retraining on the events of a database: on GraphRec:Retraining:Interval, and on POST /retrain.
            builder.Services.AddSingleton<IDatasetProvider>(events.ToEvents());
            builder.Services.AddGraphRecRetraining(builder.Configuration.GetSection("GraphRec:Retraining"));
        }

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
        catch (InvalidOperationException error) when (error.Message.Contains("--events-", StringComparison.Ordinal))
        {
            await Console.Error.WriteLineAsync($"error: {error.Message}").ConfigureAwait(false);
            return 2;
        }
        catch (OptionsValidationException error)
        {
            // A missing, damaged or forged model file: one line, not the host's stack trace.
            await Console.Error.WriteLineAsync($"error: {string.Join("; ", error.Failures)}").ConfigureAwait(false);
            return 1;
        }
    }
}
