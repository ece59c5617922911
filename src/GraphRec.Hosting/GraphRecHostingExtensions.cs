using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace GraphRec.Hosting;

/// <summary>Registers GraphRec's served model in a host's services, the Microsoft.Extensions way.</summary>
public static class GraphRecHostingExtensions
{
    /// <summary>
    /// Registers <see cref="ServedModel"/> as a singleton loaded from <see cref="ServedModelOptions.ModelPath"/>, its
    /// options validated when the host starts (a missing or damaged file stops it with one line), the model loaded
    /// while it starts, and reloaded when a new file is written over it.
    /// </summary>
    /// <example><c>services.AddGraphRecRecommender(o => o.ModelPath = "graphrec-output/model.graphrec");</c></example>
    public static IServiceCollection AddGraphRecRecommender(this IServiceCollection services, Action<ServedModelOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<ServedModelOptions>().Configure(configure).ValidateOnStart();
        return AddServices(services);
    }

    /// <summary>As <see cref="AddGraphRecRecommender(IServiceCollection, Action{ServedModelOptions})"/>, binding the options from <paramref name="configuration"/> (keys <c>ModelPath</c>, <c>ReloadOnChange</c>, <c>ReloadDelay</c>).</summary>
    /// <example><c>services.AddGraphRecRecommender(builder.Configuration.GetSection("GraphRec"));</c></example>
    public static IServiceCollection AddGraphRecRecommender(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ServedModelOptions>().Bind(configuration).ValidateOnStart();
        return AddServices(services);
    }

    private static IServiceCollection AddServices(IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ServedModelOptions>, ServedModelOptionsValidator>());
        services.TryAddSingleton<ServedModel>();
        services.AddHostedService<ServedModelReloader>();
        return services;
    }
}
