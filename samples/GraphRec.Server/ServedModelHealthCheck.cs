using GraphRec.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GraphRec.Server;

/// <summary>Healthy while a model is served, with which one.</summary>
internal sealed class ServedModelHealthCheck(ServedModel served) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(HealthCheckResult.Healthy($"model {served.Generation} from {served.ModelPath}, loaded {served.LoadedAt:O}"));
}
