using GraphRec.Core;
using GraphRec.Data;
using GraphRec.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

// In the namespace of IServiceCollection, as Microsoft.Extensions' own registrations are: found without a using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers GraphRec's served model in a host's services.</summary>
public static class GraphRecServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ServedModel"/> as a singleton loaded from <see cref="ServedModelOptions.ModelPath"/>, its
    /// options validated and the model loaded when the host starts (a missing, damaged or forged file stops it with an
    /// <see cref="OptionsValidationException"/> of one line), and reloaded when a new file is written over it.
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

    /// <summary>
    /// Registers <see cref="ModelRetrainer"/>, which retrains the served model on the events of the registered
    /// <see cref="IDatasetProvider"/> (on <see cref="RetrainingOptions.Interval"/>, and whenever
    /// <see cref="ModelRetrainer.RetrainAsync"/> is called) and serves the new model through the hot reload. Needs
    /// <c>AddGraphRecRecommender</c> and an <see cref="IDatasetProvider"/> in the services; the options are validated
    /// when the host starts.
    /// </summary>
    /// <example><c>services.AddSingleton&lt;IDatasetProvider, MyEvents&gt;().AddGraphRecRetraining(o =&gt; o.Interval = TimeSpan.FromHours(1));</c></example>
    public static IServiceCollection AddGraphRecRetraining(this IServiceCollection services, Action<RetrainingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<RetrainingOptions>().Configure(configure).ValidateOnStart();
        return AddRetrainingServices(services);
    }

    /// <summary>As <see cref="AddGraphRecRetraining(IServiceCollection, Action{RetrainingOptions})"/>, binding the options from <paramref name="configuration"/> (keys <c>Interval</c>, <c>WarmStart</c>, <c>ModelPath</c>, and <c>LightGcn:Epochs</c> and the other LightGCN options).</summary>
    /// <example><c>services.AddGraphRecRetraining(builder.Configuration.GetSection("GraphRec:Retraining"));</c></example>
    public static IServiceCollection AddGraphRecRetraining(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<RetrainingOptions>().Bind(configuration).ValidateOnStart();
        return AddRetrainingServices(services);
    }

    private static IServiceCollection AddRetrainingServices(IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RetrainingOptions>, RetrainingOptionsValidator>());
        services.TryAddSingleton(provider => new ModelRetrainer(
            provider.GetService<ServedModel>() ?? throw new InvalidOperationException(
                "AddGraphRecRetraining retrains the served model, and there is none: call AddGraphRecRecommender as well."),
            provider.GetService<IDatasetProvider>() ?? throw new InvalidOperationException(
                "AddGraphRecRetraining reads the events from an IDatasetProvider, and none is registered: add yours, for example services.AddSingleton<IDatasetProvider>(new MyEvents(...))."),
            provider.GetRequiredService<IOptions<RetrainingOptions>>(),
            provider.GetRequiredService<ILogger<ModelRetrainer>>()));
        services.AddHostedService(provider => provider.GetRequiredService<ModelRetrainer>());
        return services;
    }

    private static IServiceCollection AddServices(IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ServedModelOptions>, ServedModelOptionsValidator>());
        services.TryAddSingleton(LoadServedModel);
        services.AddHostedService<ServedModelReloader>();
        return services;
    }

    /// <summary>
    /// The served model, loaded in full (every check a load makes: the checksum, and the counts, layers, rows and
    /// weights a forged file could get wrong) while the host starts. A file that does not load fails the start as an
    /// invalid option does, with one message that names the file and what is wrong with it.
    /// </summary>
    private static ServedModel LoadServedModel(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<ServedModelOptions>>();
        try
        {
            return new ServedModel(options, services.GetRequiredService<ILogger<ServedModel>>());
        }
        catch (Exception error) when (error is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new OptionsValidationException(Microsoft.Extensions.Options.Options.DefaultName, typeof(ServedModelOptions),
                [$"{nameof(ServedModelOptions)}.{nameof(ServedModelOptions.ModelPath)}: {error.Message}"]);
        }
    }
}
