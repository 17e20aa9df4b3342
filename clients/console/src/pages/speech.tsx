// Speech both ways: transcribe audio (transcribe.tsx) and speak text (speak.tsx), with the models
// each can use from one ModelsService.ListModels call.
import { useEffect, useState } from "preact/hooks";
import type { Model } from "../../../../gen/ts/hoosh/v1/models_pb.js";
import type { PageProps } from "../app.js";
import { ErrorNote } from "../error-note.js";
import { plainError } from "../errors.js";
import { Speak } from "./speak.js";
import { Transcribe } from "./transcribe.js";

export function Speech(props: PageProps) {
  const { client, onAuthError } = props;
  const [models, setModels] = useState<Model[]>([]);
  const [error, setError] = useState<string>();
  useEffect(() => {
    client.models.listModels({}).then(
      (r) => setModels(r.models),
      (err: unknown) => {
        onAuthError(err);
        setError(plainError(err));
      },
    );
  }, [client]);
  return (
    <section>
      <ErrorNote message={error} />
      <Transcribe {...props} models={models} />
      <Speak {...props} models={models} />
    </section>
  );
}
