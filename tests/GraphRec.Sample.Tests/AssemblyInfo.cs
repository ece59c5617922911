// Some tests capture Console.Error, which is one per process: run the sample's tests one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
