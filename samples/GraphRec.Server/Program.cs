// GraphRec server: recommendations from a trained model file over HTTP, reloaded when a new file is written over it.
//
//   dotnet run --project samples/GraphRec.Server -c Release -- --model graphrec-output/model.graphrec
//
// GET /users/{id}/recommendations?count=10, GET /items/{id}/similar?count=10, GET /model, GET /health,
// and the OpenAPI document at /openapi/v1.json. With a database of events it also retrains (POST /retrain, and
// every --retrain-every if given):
//
//   dotnet run --project samples/GraphRec.Server -c Release -- --model model.graphrec --events-provider postgres \
//     --events-connection "Host=localhost;Database=shop;Username=me" --events-query "select customer, sku from orders" \
//     --events-user-column customer --events-item-column sku
return await GraphRec.Server.ServerApp.RunAsync(args);

/// <summary>The entry point, for WebApplicationFactory.</summary>
public partial class Program;
