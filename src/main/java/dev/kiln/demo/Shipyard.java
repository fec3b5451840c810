package dev.kiln.demo;

import dev.kiln.Kiln;
import dev.kiln.api.AppError;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The bundled example app and the jar's default: projects and their deployments, over the tables
 * of {@code migrations/0001_projects.sql}.
 */
public final class Shipyard {

  private Shipyard() {}

  public record Project(UUID id, String name, String owner, Instant createdAt) {}

  public record Deployment(UUID id, UUID projectId, String version, String status, Instant createdAt) {}

  public record ListProjects(Optional<Integer> limit) {}

  public record GetProject(UUID id) {}

  public record CreateProject(String name, String owner) {
    public CreateProject {
      if (name != null && (name.isBlank() || name.length() > 100)) {
        throw new IllegalArgumentException("name must be 1 to 100 characters");
      }
    }
  }

  public record CreateDeployment(UUID projectId, String version) {}

  public record Empty() {}

  public record ProjectPage(List<Project> projects) {}

  public static Kiln app() {
    return Kiln.app("shipyard")
        .migrations("migrations")
        .query("projects.list", ListProjects.class, ProjectPage.class, (ctx, a) ->
            new ProjectPage(ctx.db().query(
                    "SELECT id, name, owner, created_at FROM projects ORDER BY created_at, name LIMIT $1",
                    Math.clamp(a.limit().orElse(50), 1, 500))
                .mapTo(Project.class)))
            .publicAccess().tables("projects")
            .describe("Every project, oldest first.")
        .query("projects.get", GetProject.class, Project.class, (ctx, a) ->
            ctx.db().query("SELECT id, name, owner, created_at FROM projects WHERE id = $1", a.id())
                .mapTo(Project.class).stream().findFirst()
                .orElseThrow(() -> AppError.notFound("No project " + a.id() + ".")))
            .publicAccess().tables("projects")
        .mutation("projects.create", CreateProject.class, Project.class, (ctx, a) -> {
          if (ctx.db().queryOptional("SELECT 1 FROM projects WHERE name = $1", a.name()).isPresent()) {
            throw AppError.conflict("project_exists", "A project named '" + a.name() + "' exists.");
          }
          return ctx.db().query("INSERT INTO projects (name, owner) VALUES ($1, $2) "
                  + "RETURNING id, name, owner, created_at", a.name(), a.owner())
              .mapTo(Project.class).getFirst();
        })
            .publicAccess().rateLimit(20, 40)
            .describe("Create a project; names are unique.")
        .mutation("deployments.create", CreateDeployment.class, Deployment.class, (ctx, a) ->
            ctx.db().query("INSERT INTO deployments (project_id, version) "
                    + "SELECT id, $2 FROM projects WHERE id = $1 "
                    + "RETURNING id, project_id, version, status, created_at", a.projectId(), a.version())
                .mapTo(Deployment.class).stream().findFirst()
                .orElseThrow(() -> AppError.notFound("No project " + a.projectId() + ".")))
            .describe("Record a deployment of a project (any signed-in user).")
        .mutation("projects.purge", Empty.class, Long.class, (ctx, a) ->
            ctx.db().execute("DELETE FROM projects"))
            .requireRole("admin")
            .describe("Delete every project (admin only).");
  }

  public static void main(String[] args) {
    app().run(args);
  }
}
