using GraphRec.Hosting;

namespace GraphRec.Server;

/// <summary>What is served.</summary>
internal sealed record ModelInfo(string Path, int Generation, DateTimeOffset LoadedAt, string Kind, string Dataset, int Users, int Items);

/// <summary>
/// The recommendation endpoints: GraphRec.Hosting's, which answer every mistake in a request with a problem details
/// response that names it, and what is served.
/// </summary>
internal static class RecommendationEndpoints
{
    public static void MapRecommendations(this WebApplication app)
    {
        app.MapGraphRecEndpoints();
        app.MapGet("/model", (ServedModel served) =>
            served.Use(model => Results.Ok(new ModelInfo(served.ModelPath, served.Generation, served.LoadedAt, model.ModelKind, model.DatasetName, model.Users.Count, model.Items.Count))))
            .WithName("Model").WithSummary("The model served: its file, generation (1, then one more per reload), kind (lightgcn, gf-cf or spectral), dataset and size.")
            .Produces<ModelInfo>();
        if (app.Services.GetService<ModelRetrainer>() is not null)
        {
            // Tied to the host, not to the request: a client that gives up on a long retrain does not cancel it.
            app.MapPost("/retrain", async (ModelRetrainer retrainer, IHostApplicationLifetime host) =>
                {
                    var result = await retrainer.RetrainAsync(host.ApplicationStopping);
                    return result.Succeeded
                        ? Results.Ok(result)
                        : Results.Problem(title: "The retrain failed; the previous model keeps serving", detail: result.Error, statusCode: StatusCodes.Status500InternalServerError);
                })
                .WithName("Retrain").WithSummary("Retrains the served model on the events of the database now, and serves the new model when this returns.")
                .Produces<RetrainingResult>().ProducesProblem(StatusCodes.Status500InternalServerError);
        }
    }
}
