package org.mnemos.web;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeIn;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.info.License;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import io.swagger.v3.oas.annotations.servers.Server;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The contract's header; the committed copy is {@code openapi/openapi.yaml} (see OpenApiContractTest). */
@Configuration(proxyBeanMethods = false)
@OpenAPIDefinition(
        info =
                @Info(
                        title = "Mnemos API",
                        version = "v1",
                        description =
                                "Class-incremental learning as a service: submit experiments, follow them phase by phase, "
                                        + "download exemplars and checkpoints. Errors are RFC 9457 problems (application/problem+json).",
                        license = @License(name = "Apache-2.0")),
        servers = @Server(url = "/", description = "this server"),
        security = {@SecurityRequirement(name = "apiKey"), @SecurityRequirement(name = "bearer")})
@SecurityScheme(
        name = "apiKey",
        type = SecuritySchemeType.APIKEY,
        in = SecuritySchemeIn.HEADER,
        paramName = "X-API-Key",
        description = "Required when mnemos.security.api-keys is configured")
@SecurityScheme(
        name = "bearer",
        type = SecuritySchemeType.HTTP,
        scheme = "bearer",
        description = "The same API key as a bearer token")
public class OpenApiConfiguration {

    static final String PROBLEM_SCHEMA = "Problem";

    /** Every API operation may answer with a problem; documented once here rather than on each method. */
    @Bean
    OpenApiCustomizer problemResponses() {
        return openApi -> {
            Schema<Object> fieldProblem = new ObjectSchema()
                    .addProperty("field", new StringSchema().description("JSON path of the offending value"))
                    .addProperty("message", new StringSchema().description("what is allowed"));
            Schema<Object> problem = new ObjectSchema()
                    .description("RFC 9457 problem details")
                    .addProperty(
                            "type",
                            new StringSchema().format("uri").example("https://mnemos.dev/problems/invalid-spec"))
                    .addProperty("title", new StringSchema())
                    .addProperty("status", new IntegerSchema())
                    .addProperty("detail", new StringSchema())
                    .addProperty("instance", new StringSchema().format("uri"))
                    .addProperty("errors", new ArraySchema().items(fieldProblem));
            openApi.getComponents().addSchemas(PROBLEM_SCHEMA, problem);
            ApiResponse problemResponse = new ApiResponse()
                    .description("An RFC 9457 problem (application/problem+json)")
                    .content(new Content()
                            .addMediaType(
                                    Problems.MEDIA_TYPE,
                                    new MediaType()
                                            .schema(new Schema<>().$ref("#/components/schemas/" + PROBLEM_SCHEMA))));
            openApi.getPaths().forEach((path, item) -> {
                if (path.startsWith("/api/")) {
                    item.readOperations().forEach(operation -> {
                        operation.getResponses().addApiResponse("4XX", problemResponse);
                        operation.getResponses().addApiResponse("5XX", problemResponse);
                    });
                }
            });
        };
    }
}
