-- Checkpoints uploaded for model.init (POST /api/v1/checkpoints): a safetensors file in the artifact
-- store at uploads/<id>.safetensors, its header checked when it was uploaded. owner_key as for
-- experiments (null when keys are off); summary: the JSON the API answers with (tensors, metadata).
create table checkpoints (
    id          uuid primary key,
    owner_key   text,
    path        text not null,
    size_bytes  bigint not null,
    sha256      text not null,
    summary     text not null,
    created_at  timestamptz not null default now()
);
create index checkpoints_owner on checkpoints (owner_key);
