namespace GraphRec.Data;

/// <summary>Loads an <see cref="InteractionDataset"/> from wherever its source lives.</summary>
public interface IDatasetProvider
{
    /// <summary>The dataset's name, such as <c>ml-100k</c>.</summary>
    string Name { get; }

    /// <summary>Loads the dataset, locating (and where allowed downloading) its files first.</summary>
    /// <param name="cancellationToken">Stops loading between lines.</param>
    /// <exception cref="DatasetFormatException">A file is malformed (strict mode).</exception>
    /// <exception cref="FileNotFoundException">The files are not there and cannot be downloaded.</exception>
    Task<InteractionDataset> LoadAsync(CancellationToken cancellationToken = default);
}
