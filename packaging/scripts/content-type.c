/* content-type PATH...: prints GIO's content type of each path, one per
 * line: for a file the type GNOME shows (g_file_query_info), for a folder
 * the x-content types of its tree (g_content_type_guess_for_tree, what GIO
 * computes for a mounted medium), space separated. Used by test-deb.sh. */
#include <gio/gio.h>
#include <stdio.h>

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    GFile *f = g_file_new_for_path(argv[i]);
    if (g_file_test(argv[i], G_FILE_TEST_IS_DIR)) {
      char **types = g_content_type_guess_for_tree(f);
      char *joined = g_strjoinv(" ", types);
      printf("%s\n", joined);
      g_free(joined);
      g_strfreev(types);
    } else {
      GError *err = NULL;
      GFileInfo *info = g_file_query_info(f, G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE, 0, NULL, &err);
      if (!info) {
        fprintf(stderr, "content-type: %s: %s\n", argv[i], err->message);
        return 1;
      }
      printf("%s\n", g_file_info_get_content_type(info));
      g_object_unref(info);
    }
    g_object_unref(f);
  }
  return 0;
}
